package org.mnemos.toy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.TrainingData;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.experiment.SpecReader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A part defined outside the main code (the walk-through of docs/architecture.md): rehearsal with
 * a hook that counts the images each phase trains on and files them as its report. Registered in
 * {@link Parts}, it runs through {@link LocalRun} like a built-in method.
 */
class ToyPartTest {

    /** What the toy's hook counted in a phase. */
    record TrainingSetReport(int trainingImages, int exemplarsAfter) implements PartReport {
        @Override
        public String reportName() {
            return "toy";
        }
    }

    /** Counts the main stage's training set before it trains, and the memory once it is updated. */
    static final class CountingHook implements PhaseHook {
        private int trainingImages;

        @Override
        public void beforeTraining(PhaseSession session) {
            trainingImages = session.training().size();
        }

        @Override
        public PartReport report(PhaseSession session) {
            return new TrainingSetReport(trainingImages, session.memory().size());
        }
    }

    static CilMethod toy(MethodSpec spec) {
        return new CilMethod(
                "toy",
                "Rehearsal that reports the size of its training set.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                true,
                ClassifierRule.CNN,
                null,
                false,
                (oldClasses, newClasses) -> List.of(new CrossEntropyLoss(false)),
                List.of(new CountingHook()));
    }

    private static final String SPEC = """
            {"name":"toy","seed":1,
             "dataset":{"name":"synthetic","syntheticClasses":6,"syntheticTrainPerClass":12,"syntheticTestPerClass":4,
                        "syntheticImageSize":8,"syntheticChannels":1},
             "protocol":{"initialClasses":2,"increment":2,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[16]},"method":{"name":"toy"},"memory":{"perClass":3},
             "training":{"epochs":1,"batchSize":8,"optimizer":{"name":"sgd","lr":0.05}}}""";

    @Test
    void aRegisteredPartRunsThroughLocalRunAndFilesItsReport(@TempDir Path dir) {
        ExperimentSpec spec = SpecReader.json().readValue(SPEC, ExperimentSpec.class);
        List<PhaseMetrics> phases;
        try (Parts.Registration registration = Parts.registerMethod("toy", ToyPartTest::toy)) {
            assertThat(Parts.methodNames()).contains("toy");
            CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
            phases = LocalRun.run(engine, spec, dir.resolve("run"), Device.cpu(), progress -> {})
                    .phases();
        }
        assertThat(phases).hasSize(3);
        for (PhaseMetrics phase : phases) {
            TrainingSetReport report = phase.report(TrainingSetReport.class);
            int seenClasses = 2 * (phase.phase() + 1);
            // the new classes' 12 images each, plus 3 exemplars of every earlier class
            assertThat(report.trainingImages()).isEqualTo(2 * 12 + 3 * (seenClasses - 2));
            assertThat(report.exemplarsAfter()).isEqualTo(3 * seenClasses).isEqualTo(phase.exemplarCount());
        }
        JsonNode json = JsonMapper.builder().build().valueToTree(phases.get(2));
        assertThat(json.path("reports").path("toy").path("trainingImages").asInt())
                .isEqualTo(2 * 12 + 3 * 4);
    }

    @Test
    void aClosedRegistrationLeavesTheMethodUnknown() {
        Parts.registerMethod("toy", ToyPartTest::toy).close();
        assertThatThrownBy(() -> Parts.create(MethodSpec.named("toy")))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("unknown method 'toy'");
        assertThatThrownBy(() -> Parts.registerMethod("icarl", ToyPartTest::toy))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
