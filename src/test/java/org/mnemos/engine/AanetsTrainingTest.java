package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.model.aanets.AggregationWeightsReport;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.LucirSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.PodnetSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * AANets through the shared phase procedure on small synthetic data: phase 0 trains a single
 * network, later phases the two branches, α is learned once per epoch and reported, and the
 * checkpoint of a phase reproduces its metrics.
 */
class AanetsTrainingTest {

    private static final int EPOCHS = 2;

    private static MethodSpec options(String method) {
        return switch (method) {
            case "lucir" -> new LucirSpec(method, null, null, null, 1);
            case "podnet" -> new PodnetSpec(method, null, null, null, 2, 1);
            default -> MethodSpec.named(method);
        };
    }

    private static ExperimentSpec spec(String backbone, String method, int phases, AanetsSpec aanets) {
        boolean mlp = backbone.equals("mlp");
        return new ExperimentSpec(
                backbone + "-" + method + "-aanets",
                2L,
                null,
                // CIFAR ResNets on 8×8 images keep the test short; stage 3 still has 2×2 maps
                new DatasetSpec("synthetic", null, null, 2 * phases, 16, 4, 8, 3),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec(backbone, mlp ? List.of(32, 16) : null, null, aanets),
                options(method),
                new MemorySpec("herding", 4, null),
                new TrainingSpec(
                        EPOCHS,
                        null,
                        16,
                        new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null),
                        new ScheduleSpec("multistep", List.of(1), 0.1),
                        !mlp));
    }

    private static LocalRun.Result run(ExperimentSpec spec, Path dir, List<TrainingProgress> progress) {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        return LocalRun.run(engine, spec, dir.resolve("run"), Device.cpu(), progress::add);
    }

    @ParameterizedTest
    @ValueSource(strings = {"icarl", "lucir", "podnet"})
    void resnet32LearnsOneWeightPerLevelEachEpoch(String method, @TempDir Path dir) {
        AanetsSpec aanets = new AanetsSpec("aanets", null, null, 0.05, null);
        LocalRun.Result result = run(spec("resnet32", method, 2, aanets), dir, new ArrayList<>());
        assertThat(result.phases().get(0).report(AggregationWeightsReport.class))
                .isNull();
        List<List<Double>> alphas =
                result.phases().get(1).report(AggregationWeightsReport.class).weights();
        assertThat(alphas)
                .hasSize(EPOCHS)
                .allSatisfy(levels -> assertThat(levels).hasSize(3));
        assertThat(alphas.get(EPOCHS - 1)).anySatisfy(alpha -> assertThat(alpha).isNotEqualTo(0.5));
        assertThat(Double.isNaN(result.phases().get(1).cnnAccuracy())).isFalse();
        // phase 1 holds two branches; the stable one's kernels are counted but not trained
        PhaseMetrics single = result.phases().get(0);
        PhaseMetrics dual = result.phases().get(1);
        assertThat(single.trainableParameters()).isEqualTo(single.totalParameters());
        assertThat(dual.totalParameters()).isGreaterThan(2 * single.totalParameters() - 100);
        assertThat(dual.trainableParameters()).isLessThan(dual.totalParameters() - 400_000);
    }

    @Test
    void resnet8RunsThreePhasesAndItsCheckpointReproducesTheMetrics(@TempDir Path dir) {
        List<TrainingProgress> progress = new ArrayList<>();
        ExperimentSpec spec = spec("resnet8", "lucir", 3, new AanetsSpec("aanets", null, null, 0.05, null));
        LocalRun.Result result = run(spec, dir, progress);
        PhaseMetrics last = result.phases().get(2);
        assertThat(last.report(AggregationWeightsReport.class).weights())
                .hasSize(EPOCHS)
                .allSatisfy(levels -> assertThat(levels).hasSize(3));
        // α carries over: phase 2 starts where phase 1 ended, not at 0.5
        assertThat(last.report(AggregationWeightsReport.class).weights().get(0)).isNotEqualTo(List.of(0.5, 0.5, 0.5));
        assertThat(progress).anyMatch(p -> p.stage().equals("aggregation"));
        assertThat(progress.get(progress.size() - 1).fraction()).isEqualTo(1.0);
        for (int i = 1; i < progress.size(); i++) {
            if (progress.get(i).phase() == progress.get(i - 1).phase()) {
                assertThat(progress.get(i).step())
                        .isGreaterThanOrEqualTo(progress.get(i - 1).step());
            }
        }
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        PhaseMetrics reloaded =
                engine.evaluate(result.plan(), 2, dir.resolve("run").resolve("phase-2"), Device.cpu());
        assertThat(reloaded.accuracy()).isEqualTo(last.accuracy());
    }

    @Test
    void accumulatedFusionGradientsGiveTheWeightsAnotherTrajectoryThanZeroedOnes(@TempDir Path dir) {
        double zeroed = drift(run(
                spec("resnet8", "icarl", 2, new AanetsSpec("aanets", null, null, 1e-3, false)),
                dir.resolve("a"),
                new ArrayList<>()));
        double accumulated = drift(run(
                spec("resnet8", "icarl", 2, new AanetsSpec("aanets", null, null, 1e-3, true)),
                dir.resolve("b"),
                new ArrayList<>()));
        // which moves further depends on the gradients' signs; the exact trajectories are
        // AggregationWeightLoopReferenceTest's
        assertThat(accumulated).isPositive().isNotEqualTo(zeroed);
    }

    @Test
    void aMethodWithoutExemplarsIsRejected(@TempDir Path dir) {
        ExperimentSpec spec = spec("resnet8", "finetune", 2, new AanetsSpec("aanets", null, null, null, null));
        assertThatThrownBy(() -> run(spec, dir, new ArrayList<>()))
                .isInstanceOfSatisfying(
                        SpecException.class, e -> assertThat(e.field()).isEqualTo("model.aggregation"));
    }

    @Test
    void theMlpIsRefusedNamingTheAggregation(@TempDir Path dir) {
        ExperimentSpec spec = spec("mlp", "lucir", 2, new AanetsSpec("aanets", null, null, null, null));
        assertThatThrownBy(() -> run(spec, dir, new ArrayList<>())).isInstanceOfSatisfying(SpecException.class, e -> {
            assertThat(e.field()).isEqualTo("model.aggregation");
            assertThat(e.getMessage()).contains("convolutional backbone");
        });
    }

    @Test
    void fusionLrZeroKeepsEveryWeightAtExactlyHalf(@TempDir Path dir) {
        LocalRun.Result result = run(
                spec("resnet8", "lucir", 3, new AanetsSpec("aanets", null, null, 0.0, null)), dir, new ArrayList<>());
        for (int phase = 1; phase < 3; phase++) {
            AggregationWeightsReport report = result.phases().get(phase).report(AggregationWeightsReport.class);
            assertThat(report.weights())
                    .hasSize(EPOCHS)
                    .allSatisfy(levels -> assertThat(levels).containsOnly(0.5));
            assertThat(report.steps()).isZero();
            assertThat(report.fusionLr()).isZero();
        }
    }

    /**
     * The defaults: LUCIR accumulates as its official trainer does, iCaRL zeroes as its trainer
     * does; both take ⌈balanced set / 100⌉ unshuffled steps per epoch at the learning rate that
     * spends the code's update budget, and α moves.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lucir", "icarl"})
    void theDefaultsSpendTheCodesUpdateBudget(String method, @TempDir Path dir) {
        LocalRun.Result result = run(
                spec("resnet8", method, 2, new AanetsSpec("aanets", null, null, null, null)), dir, new ArrayList<>());
        AggregationWeightsReport report = result.phases().get(1).report(AggregationWeightsReport.class);
        boolean accumulates = method.equals("lucir");
        assertThat(report.accumulated()).isEqualTo(accumulates);
        // phase 1: 2 new classes × 16 images + 4 exemplars of each of the 2 old classes; the balanced set: 8 + 8
        int mainSteps = (32 + 8) / 16 + 1;
        int alphaSteps = 1;
        assertThat(report.steps()).isEqualTo((long) EPOCHS * alphaSteps);
        double units = 0;
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            double factor = epoch < 1 ? 1 : 0.1;
            long passes = accumulates ? (epoch + 1L) * mainSteps + (long) epoch * alphaSteps + 1 : 1;
            units += factor * passes;
        }
        assertThat(report.fusionLr())
                .isCloseTo(AanetsSpec.CODE_UPDATE_BUDGET / units, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(drift(result)).isGreaterThan(0);
        assertThat(Files.exists(dir.resolve("run").resolve("phase-1").resolve("aggregation-gradients.bin")))
                .isEqualTo(accumulates);
    }

    /** Total distance of the final α from their start at 0.5. */
    private static double drift(LocalRun.Result result) {
        List<List<Double>> alphas =
                result.phases().get(1).report(AggregationWeightsReport.class).weights();
        return alphas.get(alphas.size() - 1).stream()
                .mapToDouble(alpha -> Math.abs(alpha - 0.5))
                .sum();
    }
}
