package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
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
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;
import org.mnemos.engine.parts.model.aanets.AggregationWeightsReport;

/**
 * AANets through the shared phase procedure on small synthetic data: phase 0 trains a single
 * network, later phases the two branches, α is learned once per epoch and reported, and the
 * checkpoint of a phase reproduces its metrics.
 */
class AanetsTrainingTest {

    private static final int EPOCHS = 2;

    private static MethodSpec options(String method) {
        return switch (method) {
            case "lucir" -> new MethodSpec(method, null, null, null, null, null, null, null, null, null, null, 1);
            case "podnet" -> new MethodSpec(method, null, null, null, null, null, null, null, 2, null, null, 1);
            default -> MethodSpec.named(method);
        };
    }

    private static ExperimentSpec spec(String backbone, String method, int phases, AanetsSpec aanets) {
        boolean resnet = backbone.equals("resnet32");
        return new ExperimentSpec(
                backbone + "-" + method + "-aanets", 2L, null,
                // ResNet-32 on 8×8 images keeps the test short; stage 3 still has 2×2 maps
                new DatasetSpec("synthetic", null, null, 2 * phases, resnet ? 16 : 40, resnet ? 4 : 10, 8, resnet ? 3 : 1),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec(backbone, resnet ? null : List.of(32, 16), null, aanets),
                options(method),
                new MemorySpec("herding", resnet ? 4 : 8, null),
                new TrainingSpec(EPOCHS, null, 16,
                        new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null),
                        new ScheduleSpec("multistep", List.of(1), 0.1), resnet));
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
        assertThat(result.phases().get(0).report(AggregationWeightsReport.class)).isNull();
        List<List<Double>> alphas = result.phases().get(1).report(AggregationWeightsReport.class).weights();
        assertThat(alphas).hasSize(EPOCHS).allSatisfy(levels -> assertThat(levels).hasSize(3));
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
    void mlpRunsThreePhasesAndItsCheckpointReproducesTheMetrics(@TempDir Path dir) {
        List<TrainingProgress> progress = new ArrayList<>();
        ExperimentSpec spec = spec("mlp", "lucir", 3, new AanetsSpec("aanets", null, null, 0.05, null));
        LocalRun.Result result = run(spec, dir, progress);
        PhaseMetrics last = result.phases().get(2);
        assertThat(last.report(AggregationWeightsReport.class).weights()).hasSize(EPOCHS).allSatisfy(levels -> assertThat(levels).hasSize(2));
        // α carries over: phase 2 starts where phase 1 ended, not at 0.5
        assertThat(last.report(AggregationWeightsReport.class).weights().get(0)).isNotEqualTo(List.of(0.5, 0.5));
        assertThat(progress).anyMatch(p -> p.stage().equals("aggregation"));
        assertThat(progress.get(progress.size() - 1).fraction()).isEqualTo(1.0);
        for (int i = 1; i < progress.size(); i++) {
            if (progress.get(i).phase() == progress.get(i - 1).phase()) {
                assertThat(progress.get(i).step()).isGreaterThanOrEqualTo(progress.get(i - 1).step());
            }
        }
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        PhaseMetrics reloaded = engine.evaluate(result.plan(), 2, dir.resolve("run").resolve("phase-2"), Device.cpu());
        assertThat(reloaded.accuracy()).isEqualTo(last.accuracy());
    }

    @Test
    void accumulatedFusionGradientsMoveTheWeightsFurtherThanZeroedOnes(@TempDir Path dir) {
        double zeroed = drift(run(spec("mlp", "icarl", 2, new AanetsSpec("aanets", null, null, 1e-3, false)), dir.resolve("a"), new ArrayList<>()));
        double accumulated = drift(run(spec("mlp", "icarl", 2, new AanetsSpec("aanets", null, null, 1e-3, true)), dir.resolve("b"), new ArrayList<>()));
        assertThat(accumulated).isGreaterThan(zeroed);
    }

    @Test
    void aMethodWithoutExemplarsIsRejected(@TempDir Path dir) {
        ExperimentSpec spec = spec("mlp", "finetune", 2, new AanetsSpec("aanets", null, null, null, null));
        assertThatThrownBy(() -> run(spec, dir, new ArrayList<>()))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("model.aggregation"));
    }

    /** Total distance of the final α from their start at 0.5. */
    private static double drift(LocalRun.Result result) {
        List<List<Double>> alphas = result.phases().get(1).report(AggregationWeightsReport.class).weights();
        return alphas.get(alphas.size() - 1).stream().mapToDouble(alpha -> Math.abs(alpha - 0.5)).sum();
    }
}
