package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.metrics.InversionMetrics;
import org.mnemos.engine.metrics.InversionPreconditions;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.method.dfcil.ModelInversion;
import org.mnemos.engine.spec.AbdSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.DeepInversionSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InversionSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * The data-free methods train end to end on a BatchNorm backbone, carry their generator and its
 * optimiser from phase to phase in the state, reproduce their numbers for the same seed, and a
 * phase resumed by a fresh engine from the saved state equals the uninterrupted one.
 */
class AbdTrainingTest {

    @TempDir
    Path dir;

    private CilEngine engine() {
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
    }

    static ExperimentSpec spec(String method, MemorySpec memory) {
        return spec(method, memory, null, null);
    }

    static ExperimentSpec spec(String method, MemorySpec memory, String sampleMode, String replayBatchNorm) {
        InversionSpec inversion =
                new InversionSpec(6, 16, null, 32, null, null, null, null, null, sampleMode, replayBatchNorm);
        MethodSpec methodSpec = switch (method) {
            case "abd" -> AbdSpec.of(inversion);
            case "deepinversion" -> DeepInversionSpec.of(null, inversion);
            default -> MethodSpec.named(method);
        };
        return new ExperimentSpec(
                "abd",
                3L,
                null,
                new DatasetSpec("synthetic", null, null, 6, 40, 10, 16, 1),
                new ProtocolSpec(2, 2, null, null, "seeded", 5L, null),
                new ModelSpec("resnet8", null, "linear"),
                methodSpec,
                memory,
                new TrainingSpec(
                        null, 12, 16, new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null), null, false));
    }

    private List<PhaseMetrics> run(CilEngine engine, ExperimentSpec spec, Path work) throws Exception {
        return LocalRun.run(engine, spec, work, Device.cpu(), p -> {}).phases();
    }

    @Test
    void abdCarriesItsGeneratorAndOptimiserAndResumesFromTheSavedState() throws Exception {
        ExperimentSpec spec = spec("abd", null);
        List<PhaseMetrics> first = run(engine(), spec, dir.resolve("a"));

        // the generator, its Adam state and the dream sample are part of every phase's state but the last
        for (int phase = 0; phase < 2; phase++) {
            Path state = dir.resolve("a/phase-" + phase);
            assertThat(state.resolve(ModelInversion.GENERATOR_FILE)).exists();
            assertThat(state.resolve(ModelInversion.OPTIMIZER_FILE)).exists();
            ExemplarSet dreams = ExemplarSet.read(state.resolve("dreams.bin"));
            assertThat(dreams.size()).isPositive();
            assertThat(dreams.kinds()).containsOnly(ExemplarKind.SYNTHETIC);
            List<Integer> seen = engine().plan(spec).classOrder().subList(0, 2 * (phase + 1));
            assertThat(Arrays.stream(dreams.labels()).boxed().toList()).allMatch(seen::contains);
            assertThat(first.get(phase).report(InversionMetrics.class).iterations())
                    .isEqualTo(6);
        }
        assertThat(first.get(1).report(InversionMetrics.class).replaySeconds()).isPositive();
        assertThat(first.get(2).report(InversionMetrics.class).iterations()).isZero();
        // the generator moved on in phase 1: its saved parameters differ from phase 0's
        assertThat(Files.readAllBytes(dir.resolve("a/phase-1").resolve(ModelInversion.GENERATOR_FILE)))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("a/phase-0").resolve(ModelInversion.GENERATOR_FILE)));

        // a fresh engine (another worker) continues from phase 0's state: generator and Adam state restored
        CilEngine other = engine();
        RunPlan plan = other.plan(spec);
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        PhaseMetrics phase1 = other.runPhase(
                        plan, 1, dir.resolve("a/phase-0"), resumed, Device.cpu(), p -> {}, () -> false)
                .metrics();
        assertThat(phase1.report(InversionMetrics.class).iterations()).isEqualTo(6);
        assertThat(resumed.resolve(ModelInversion.OPTIMIZER_FILE)).exists();
    }

    /**
     * Bit-for-bit reproducibility of ABD, on several threads. It used to differ from phase 1 on: DJL's
     * {@code mul(Number)} left the backward a constant a garbage collection could free (see
     * {@code Scalars}), and oneDNN's unzeroed channel padding reached the gradients of the
     * generator's last convolution and of the blur (see {@code Generator#toImage}).
     */
    @Test
    void abdIsReproducibleAndAResumedPhaseEqualsTheUninterruptedOne() throws Exception {
        ExperimentSpec spec = spec("abd", null);
        List<PhaseMetrics> first = run(engine(), spec, dir.resolve("a"));
        List<PhaseMetrics> second = run(engine(), spec, dir.resolve("b"));
        assertThat(MetricsWithoutTimings.of(second)).isEqualTo(MetricsWithoutTimings.of(first));
        CilEngine other = engine();
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        PhaseMetrics phase1 = other.runPhase(
                        other.plan(spec), 1, dir.resolve("a/phase-0"), resumed, Device.cpu(), p -> {}, () -> false)
                .metrics();
        assertThat(MetricsWithoutTimings.of(List.of(phase1)))
                .isEqualTo(MetricsWithoutTimings.of(List.of(first.get(1))));
    }

    /** Every inverting phase reports its preconditions: the inverted network's accuracy, 256 dreams' classes, the BatchNorm term. */
    @Test
    void everyInvertingPhaseReportsItsPreconditions() throws Exception {
        List<PhaseMetrics> phases = run(engine(), spec("abd", null), dir.resolve("a"));
        for (int phase = 0; phase < 2; phase++) {
            InversionMetrics report = phases.get(phase).report(InversionMetrics.class);
            InversionPreconditions preconditions = report.preconditions();
            assertThat(preconditions.teacherAccuracy())
                    .isEqualTo(phases.get(phase).accuracy());
            assertThat(preconditions.dreams()).isEqualTo(256);
            assertThat(preconditions.classShares()).hasSize(2 * (phase + 1));
            assertThat(Arrays.stream(preconditions.classShares()).sum()).isCloseTo(1.0, within(1e-9));
            assertThat(preconditions.largestShare())
                    .isEqualTo(Arrays.stream(preconditions.classShares()).max().orElseThrow());
            assertThat(preconditions.classesDreamed()).isEqualTo((int) Arrays.stream(preconditions.classShares())
                    .filter(x -> x > 0)
                    .count());
            assertThat(preconditions.bnTermFirst()).isEqualTo(report.firstLoss()[2]);
            assertThat(preconditions.bnTermLast()).isEqualTo(report.lastLoss()[2]);
            assertThat(preconditions.bnTermFell()).isEqualTo(report.lastLoss()[2] < report.firstLoss()[2]);
        }
        assertThat(phases.get(2).report(InversionMetrics.class).preconditions()).isNull();
    }

    /**
     * {@code sampleMode} and {@code replayBatchNorm} reach the replay: phase 0 (no dreams yet) is the
     * default's bit for bit, phase 1 (trained with dreams) is not.
     */
    @Test
    void theReplayOptionsReachTheTrainingSteps() throws Exception {
        List<PhaseMetrics> defaults = MetricsWithoutTimings.of(run(engine(), spec("abd", null), dir.resolve("d")));
        for (String[] options : List.of(new String[] {"train", null}, new String[] {null, "separate"})) {
            List<PhaseMetrics> other = MetricsWithoutTimings.of(run(
                    engine(), spec("abd", null, options[0], options[1]), dir.resolve("o" + options[0] + options[1])));
            assertThat(other.get(0)).isEqualTo(defaults.get(0));
            assertThat(other.get(1).perClassAccuracy())
                    .isNotEqualTo(defaults.get(1).perClassAccuracy());
        }
    }

    @Test
    void deepInversionAndLwfMcTrain() throws Exception {
        List<PhaseMetrics> deep = run(engine(), spec("deepinversion", null), dir.resolve("di"));
        assertThat(deep).hasSize(3);
        assertThat(deep.get(0).report(InversionMetrics.class).iterations()).isEqualTo(6);
        List<PhaseMetrics> lwfMc = run(engine(), spec("lwf-mc", null), dir.resolve("mc"));
        assertThat(lwfMc.get(2).accuracy()).isBetween(0.0, 1.0);
        assertThat(lwfMc.get(2).report(InversionMetrics.class)).isNull();
    }

    @Test
    void dataFreeMethodsRefuseAMemory() {
        assertThatThrownBy(() -> engine().plan(spec("abd", new MemorySpec("herding", 20, null))))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("memory");
    }
}
