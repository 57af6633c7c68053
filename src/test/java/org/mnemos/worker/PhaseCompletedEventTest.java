package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.metrics.CimMetrics;
import org.mnemos.engine.metrics.MemoryMetrics;
import org.mnemos.engine.metrics.MnemonicsMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.method.foster.StudentAccuracyReport;
import org.mnemos.engine.parts.model.aanets.AggregationWeightsReport;
import org.mnemos.experiment.SpecReader;
import tools.jackson.databind.JsonNode;

/**
 * The phase-completed event's metrics, as the event publisher writes them: each part's report under
 * {@code reports}, and none of the fields the reports replaced (removed in issue 19).
 */
class PhaseCompletedEventTest {

    private static PhaseMetrics metrics() {
        return new PhaseMetrics(
                1, List.of(2, 3), "cnn", 0.8, 0.8, null, 0.7, 0.9, List.of(0.7, 0.9), Map.of(2, 0.9), 4, 100, 10, 50.0);
    }

    private static JsonNode asEvent(PhaseMetrics metrics) {
        return SpecReader.json()
                .readTree(SpecReader.json().writeValueAsString(Map.of("metrics", metrics)))
                .path("metrics");
    }

    @Test
    void theReportsAreThereUnderTheirNamesAndTheOldFieldsAreGone() {
        JsonNode event = asEvent(metrics()
                .withReport(new MemoryMetrics("cim", 2.0, 420, 0.5, 0.6, null))
                .withReport(new CimMetrics("bilevel", 3, 0, 1.5, 0.25, 0.1, 1, 7))
                .withReport(new MnemonicsMetrics("bilevel", 4, 12, 1.0, 10.0, 3.0, 7.5, 2.0, 1.5, 2.1, 1.9, true, 0))
                .withReport(new AggregationWeightsReport(List.of(List.of(0.5, 0.5), List.of(0.6, 0.4))))
                .withReport(new StudentAccuracyReport(0.75)));
        JsonNode reports = event.path("reports");
        assertThat(reports.propertyNames())
                .containsExactlyInAnyOrder("memory", "cim", "mnemonics", "aggregation", "student");
        assertThat(reports.path("memory").path("storedBytes").asInt()).isEqualTo(420);
        assertThat(reports.path("memory").has("cim")).isFalse();
        assertThat(reports.path("cim").path("metaSteps").asInt()).isEqualTo(3);
        assertThat(reports.path("mnemonics").path("outerLossAfter").asDouble()).isEqualTo(1.5);
        assertThat(reports.path("aggregation").path("weights").get(1).get(0).asDouble())
                .isEqualTo(0.6);
        assertThat(reports.path("student").path("accuracy").asDouble()).isEqualTo(0.75);
        for (String removed :
                List.of("memory", "cim", "mnemonics", "inversion", "aggregationWeights", "studentAccuracy")) {
            assertThat(event.has(removed)).as(removed).isFalse();
        }
    }

    @Test
    void aPhaseWithoutReportsCarriesNone() {
        JsonNode event = asEvent(metrics());
        assertThat(event.has("reports")).isFalse();
        assertThat(event.path("accuracy").asDouble()).isEqualTo(0.8);
    }
}
