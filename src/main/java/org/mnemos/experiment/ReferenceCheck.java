package org.mnemos.experiment;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.catalog.ReferenceCard;
import org.mnemos.engine.Datasets;
import org.mnemos.engine.SpecDefaults;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.experiment.ExperimentViews.Reference;
import org.mnemos.experiment.ExperimentViews.ReferenceStatus;
import org.mnemos.experiment.ExperimentViews.SpecDifference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sets a run of a preset against the preset's reference card. The card's conditions hold while the
 * run's resolved spec equals the preset's, resolved by the same defaults: then the run's figure
 * (the card's metric over the card's classifier) minus the published one is its referenceDelta.
 * Otherwise the differing fields are named and no delta is given.
 */
final class ReferenceCheck {

    private static final JsonMapper JSON = SpecReader.json();
    /** What names or seeds a run without changing what it measures: a card's figure averages seeds. */
    private static final Set<String> NOT_CONDITIONS = Set.of("name", "seed", "preset");

    private final SpecReader reader;
    private final Datasets datasets;
    private final PhaseRepository phases;
    /** A preset resolves the same way for the life of the process. */
    private final Map<String, JsonNode> resolvedPresets = new ConcurrentHashMap<>();

    ReferenceCheck(SpecReader reader, Datasets datasets, PhaseRepository phases) {
        this.reader = reader;
        this.datasets = datasets;
        this.phases = phases;
    }

    /** The run's comparison with its preset's card; null unless it names a preset that carries one. */
    Reference of(Experiment experiment) {
        JsonNode runSpec = JSON.readTree(experiment.getResolvedSpec());
        String presetName = runSpec.path("preset").asString(null);
        PresetCatalog.Preset preset =
                presetName == null ? null : reader.presets().find(presetName).orElse(null);
        if (preset == null || preset.reference() == null) {
            return null;
        }
        boolean finished = experiment.getStatus() == ExperimentStatus.SUCCEEDED;
        List<Double> accuracies =
                finished ? accuracies(experiment, preset.reference().classifier()) : List.of();
        return compare(
                presetName,
                preset.reference(),
                resolvedPresets.computeIfAbsent(presetName, this::resolve),
                runSpec,
                finished,
                accuracies);
    }

    /** Each phase's accuracy under the classifier, in phase order; null where a phase has none. */
    private List<Double> accuracies(Experiment experiment, ReferenceCard.Classifier classifier) {
        List<Double> out = new ArrayList<>();
        for (Phase phase : phases.findByExperiment(experiment.getId())) {
            out.add(classifier == ReferenceCard.Classifier.CNN ? phase.getCnnAccuracy() : phase.getNmeAccuracy());
        }
        return out;
    }

    /** The preset alone, read and resolved as a submission of it is, as the stored JSON would read back. */
    private JsonNode resolve(String presetName) {
        String body = JSON.createObjectNode().put("preset", presetName).toString();
        ExperimentSpec merged =
                reader.read(body.getBytes(StandardCharsets.UTF_8)).spec();
        int channels = datasets.list().stream()
                .filter(entry -> entry.name().equals(merged.dataset().name()))
                .mapToInt(Datasets.Entry::channels)
                .findFirst()
                .orElseThrow();
        return JSON.readTree(JSON.writeValueAsString(SpecDefaults.resolve(merged, channels)));
    }

    /**
     * @param accuracies each phase's accuracy (0..1) under the card's classifier, in phase order; read
     *     only for a finished run
     */
    static Reference compare(
            String preset,
            ReferenceCard card,
            JsonNode presetSpec,
            JsonNode runSpec,
            boolean finished,
            List<Double> accuracies) {
        List<SpecDifference> differences = new ArrayList<>();
        differences(presetSpec, runSpec, "", differences);
        if (!differences.isEmpty()) {
            return new Reference(
                    preset,
                    card,
                    ReferenceStatus.SPEC_DIFFERS,
                    null,
                    null,
                    differences,
                    "This run changes "
                            + differences.stream().map(SpecDifference::field).collect(Collectors.joining(", "))
                            + " of preset " + preset
                            + ", whose values the published figure was measured under; no delta.");
        }
        if (!finished) {
            return new Reference(
                    preset,
                    card,
                    ReferenceStatus.NOT_FINISHED,
                    null,
                    null,
                    differences,
                    "The run has not succeeded; the delta is computed once every phase has.");
        }
        String classifier = card.classifier().field();
        for (int phase = 0; phase < accuracies.size(); phase++) {
            if (accuracies.get(phase) == null) {
                return new Reference(
                        preset,
                        card,
                        ReferenceStatus.CLASSIFIER_MISSING,
                        null,
                        null,
                        differences,
                        "The published figure scores the " + classifier + " classifier, and phase " + phase
                                + " has no accuracy." + classifier + "; no delta.");
            }
        }
        double value = card.metric() == ReferenceCard.Metric.FINAL
                ? accuracies.get(accuracies.size() - 1)
                : accuracies.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double runPercent = 100 * value;
        return new Reference(
                preset,
                card,
                ReferenceStatus.COMPARED,
                runPercent,
                runPercent - card.percent(),
                differences,
                "The run keeps every field of preset " + preset + "; referenceDelta is its "
                        + (card.metric() == ReferenceCard.Metric.FINAL ? "final" : "average incremental") + " accuracy."
                        + classifier + " minus the published figure, in percentage points"
                        + (card.runs() == null || card.runs() == 1
                                ? "."
                                : ", which averages " + card.runs()
                                        + " runs: a group of seeds compares like with like."));
    }

    /** Appends, in field order, every path below {@code path} where the two trees hold different values. */
    private static void differences(JsonNode preset, JsonNode run, String path, List<SpecDifference> out) {
        if (preset != null && run != null && preset.isObject() && run.isObject()) {
            Set<String> fields = new TreeSet<>(preset.propertyNames());
            fields.addAll(run.propertyNames());
            for (String field : fields) {
                if (path.isEmpty() && NOT_CONDITIONS.contains(field)) {
                    continue;
                }
                differences(preset.get(field), run.get(field), path.isEmpty() ? field : path + "." + field, out);
            }
        } else if (!same(preset, run)) {
            out.add(new SpecDifference(path, run, preset));
        }
    }

    /** Equal values, numbers by value (0.1 written as 0.1 or 1e-1; 5 and 5.0). */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
