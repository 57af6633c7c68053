package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Phases are reproducible and resumable: the same spec and seed give the same numbers, a phase run
 * from saved state (as another worker would) equals the uninterrupted run, and a saved state
 * re-evaluates to the metrics it reported.
 */
class PhaseStateTest {

    @TempDir
    Path dir;

    private CilEngine engine() {
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
    }

    static ExperimentSpec spec(String method, MemorySpec memory) {
        return new ExperimentSpec(
                "state",
                11L,
                null,
                new DatasetSpec("synthetic", null, null, 6, 60, 20, 16, 1),
                new ProtocolSpec(2, 2, null, null, "seeded", 5L, null),
                new ModelSpec("mlp", List.of(64), "linear"),
                MethodSpec.named(method),
                memory,
                new TrainingSpec(
                        null, 40, 32, new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null), null, true));
    }

    private List<PhaseMetrics> run(CilEngine engine, ExperimentSpec spec, Path work) throws Exception {
        return LocalRun.run(engine, spec, work, Device.cpu(), p -> {}).phases();
    }

    @Test
    void sameSpecAndSeedGiveTheSameNumbersAndAResumedPhaseEqualsTheUninterruptedOne() throws Exception {
        ExperimentSpec spec = spec("icarl", new MemorySpec("herding", null, 12));
        List<PhaseMetrics> first = run(engine(), spec, dir.resolve("a"));
        List<PhaseMetrics> second = run(engine(), spec, dir.resolve("b"));
        assertThat(MetricsWithoutTimings.of(second)).isEqualTo(MetricsWithoutTimings.of(first));

        // a fresh engine (another worker) continues from the saved state of phase 1
        CilEngine other = engine();
        RunPlan plan = other.plan(spec);
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        PhaseMetrics phase2 = other.runPhase(
                        plan, 2, dir.resolve("a/phase-1"), resumed, Device.cpu(), p -> {}, () -> false)
                .metrics();
        assertThat(MetricsWithoutTimings.of(List.of(phase2)))
                .isEqualTo(MetricsWithoutTimings.of(List.of(first.get(2))));
    }

    @Test
    void totalBudgetShrinksOldClassesAndSavedStateReEvaluatesToItsMetrics() throws Exception {
        ExperimentSpec spec = spec("icarl", new MemorySpec("herding", null, 12));
        List<PhaseMetrics> metrics = run(engine(), spec, dir.resolve("run"));
        assertThat(metrics.get(0).exemplarCount()).isEqualTo(12);
        assertThat(metrics.get(2).exemplarCount()).isEqualTo(12);
        ExemplarSet memory = ExemplarSet.read(dir.resolve("run/phase-2").resolve(ExemplarSet.FILE_NAME));
        assertThat(memory.labels()).hasSize(12);
        assertThat(java.util.Arrays.stream(memory.labels()).distinct().count()).isEqualTo(6);
        assertThat(memory.kinds()).containsOnly(ExemplarKind.REAL);
        assertThat(java.util.Arrays.stream(memory.sourceIndices()).min().orElseThrow())
                .isGreaterThanOrEqualTo(0);

        RunPlan plan = engine().plan(spec);
        PhaseMetrics reEvaluated = engine().evaluate(plan, 2, dir.resolve("run/phase-2"), Device.cpu());
        assertThat(reEvaluated.accuracy()).isEqualTo(metrics.get(2).accuracy());
        assertThat(reEvaluated.cnnAccuracy()).isEqualTo(metrics.get(2).cnnAccuracy());
        assertThat(reEvaluated.nmeAccuracy()).isEqualTo(metrics.get(2).nmeAccuracy());
    }

    @Test
    void progressIsMonotoneAndCancellationStopsBetweenBatches() throws Exception {
        CilEngine engine = engine();
        RunPlan plan = engine.plan(spec("replay", new MemorySpec("random", 5, null)));
        List<TrainingProgress> seen = new ArrayList<>();
        engine.runPhase(
                plan, 0, null, Files.createDirectories(dir.resolve("p0")), Device.cpu(), seen::add, () -> false);
        assertThat(seen).isNotEmpty();
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i).step())
                    .isGreaterThanOrEqualTo(seen.get(i - 1).step());
        }
        assertThat(seen.get(seen.size() - 1).fraction()).isEqualTo(1.0);

        AtomicInteger polls = new AtomicInteger();
        Path cancelled = Files.createDirectories(dir.resolve("cancelled"));
        assertThatThrownBy(() -> engine.runPhase(
                        plan,
                        1,
                        dir.resolve("p0"),
                        cancelled,
                        Device.cpu(),
                        p -> {},
                        () -> polls.incrementAndGet() > 3))
                .isInstanceOf(PhaseCancelledException.class);
        assertThat(polls.get()).isEqualTo(4);
        assertThat(cancelled.resolve("state.json")).doesNotExist();
    }

    @Test
    void lucirKeepsTheOldClassEmbeddingsFixedWhileTheNewOnesLearn() throws Exception {
        ExperimentSpec spec = spec("lucir", new MemorySpec("herding", 5, null));
        run(engine(), spec, dir.resolve("lucir"));
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            float[] before = segmentWeights(spec, dir.resolve("lucir/phase-0"), 0, manager);
            float[] after = segmentWeights(spec, dir.resolve("lucir/phase-1"), 0, manager);
            assertThat(after).containsExactly(before);
            float[] newAfterPhase1 = segmentWeights(spec, dir.resolve("lucir/phase-1"), 1, manager);
            float[] newAfterPhase2 = segmentWeights(spec, dir.resolve("lucir/phase-2"), 1, manager);
            assertThat(newAfterPhase2).containsExactly(newAfterPhase1);
        }
    }

    private static float[] segmentWeights(
            ExperimentSpec spec, Path stateDir, int segment, ai.djl.ndarray.NDManager manager) {
        org.mnemos.engine.phase.PhaseState state = org.mnemos.engine.phase.PhaseState.read(stateDir);
        var builder = org.mnemos.engine.model.IncrementalNet.builderFor(spec.model(), 1, 16, 16)
                .optHead(org.mnemos.engine.model.HeadType.COSINE);
        var net = org.mnemos.engine.model.IncrementalNet.rebuild(
                builder, new ai.djl.ndarray.types.Shape(1, 1, 16, 16), state.segmentSizes(), manager);
        state.loadParameters(stateDir, net, manager);
        return net.segmentWeight(segment).toFloatArray();
    }
}
