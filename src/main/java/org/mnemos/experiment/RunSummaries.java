package org.mnemos.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mnemos.engine.metrics.RunSummary;
import tools.jackson.databind.json.JsonMapper;

/** A run's summary from its completed phases as stored. */
public final class RunSummaries {

    private static final JsonMapper JSON = SpecReader.json();

    private RunSummaries() {}

    /** The summary of {@code done}: the run's completed phases, in order. */
    public static RunSummary of(List<Phase> done) {
        return RunSummary.of(
                done.stream().map(Phase::getAccuracy).toList(),
                done.stream().map(p -> accuracyRow(p.getAccuracyRow())).toList(),
                done.stream().map(p -> labels(p.getClasses())).toList(),
                done.stream()
                        .map(p -> perClassAccuracy(p.getPerClassAccuracy()))
                        .toList());
    }

    private static List<Double> accuracyRow(String json) {
        return JSON.readValue(json, JSON.getTypeFactory().constructCollectionType(List.class, Double.class));
    }

    private static List<Integer> labels(String json) {
        return JSON.readValue(json, JSON.getTypeFactory().constructCollectionType(List.class, Integer.class));
    }

    private static Map<Integer, Double> perClassAccuracy(String json) {
        Map<Integer, Double> accuracies = new LinkedHashMap<>();
        JSON.readTree(json)
                .properties()
                .forEach(entry -> accuracies.put(
                        Integer.valueOf(entry.getKey()), entry.getValue().asDouble()));
        return accuracies;
    }
}
