package org.mnemos.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mnemos.catalog.ReferenceCard;
import org.mnemos.engine.metrics.RunSummary;
import org.mnemos.experiment.ExperimentService;
import org.mnemos.experiment.ExperimentStatus;
import org.mnemos.experiment.ExperimentViews;
import org.mnemos.experiment.PhaseStatus;

/** The long-form export carries the run's reference delta, under the card's classifier, only where there is one. */
class ReferenceDeltaRowTest {

    private static final ReferenceCard CARD = new ReferenceCard(
            new ReferenceCard.Paper("t", List.of("a"), 2020, "v"),
            "table",
            59.88,
            null,
            ReferenceCard.Metric.AVERAGE_INCREMENTAL,
            ReferenceCard.Classifier.NME,
            new ReferenceCard.Memory(ReferenceCard.MemoryMode.PER_CLASS, 20),
            null,
            "source",
            null);

    private static List<ResultRow> rows(ExperimentViews.Reference reference) {
        UUID id = UUID.randomUUID();
        ExperimentViews.Experiment experiment = new ExperimentViews.Experiment(
                id,
                "run",
                ExperimentStatus.SUCCEEDED,
                null,
                null,
                null,
                4,
                "hash",
                Map.of(),
                1,
                1,
                Instant.EPOCH,
                Instant.EPOCH,
                Instant.EPOCH,
                null,
                new RunSummary(0.6, 0.6, null, null),
                0,
                null,
                null,
                reference,
                null);
        ExperimentViews.PhaseView phase = new ExperimentViews.PhaseView(
                0,
                List.of(0, 1),
                PhaseStatus.COMPLETED,
                new ExperimentViews.Accuracy(0.6, "nme", 0.55, 0.6, null, 0.6),
                List.of(0.6),
                null,
                40,
                0L,
                1.0,
                1L,
                1,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        ExperimentService experiments = mock(ExperimentService.class);
        when(experiments.get(id)).thenReturn(experiment);
        when(experiments.phases(id)).thenReturn(List.of(phase));
        return new ResultsService(experiments).rows(id);
    }

    @Test
    void aComparedRunExportsItsDeltaInPercentagePoints() {
        var reference = new ExperimentViews.Reference(
                "p", CARD, ExperimentViews.ReferenceStatus.COMPARED, 60.0, 60.0 - 59.88, List.of(), "compared");

        ResultRow row = rows(reference).stream()
                .filter(r -> r.metric().equals("reference_delta_points"))
                .findFirst()
                .orElseThrow();

        assertThat(row.phase()).isNull();
        assertThat(row.classifier()).isEqualTo("nme");
        assertThat(row.value()).isEqualTo(60.0 - 59.88);
    }

    @Test
    void aRunWithoutADeltaExportsNoRowForIt() {
        var differs = new ExperimentViews.Reference(
                "p", CARD, ExperimentViews.ReferenceStatus.SPEC_DIFFERS, null, null, List.of(), "differs");

        assertThat(rows(differs))
                .extracting(ResultRow::metric)
                .doesNotContain("reference_delta_points")
                .contains("average_incremental_accuracy");
        assertThat(rows(null)).extracting(ResultRow::metric).doesNotContain("reference_delta_points");
    }
}
