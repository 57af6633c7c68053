package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarOriginals;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.metrics.MnemonicsMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.phase.PhaseState;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.MnemonicsSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Mnemonics exemplars end to end on small synthetic runs: herding's exemplars of the new classes
 * are optimised (the outer loss falls, the values move off the integer levels), kept at the chosen
 * precision and accounted at it, carried by the phase state, and a resumed phase continues from the
 * same optimised exemplars.
 */
class MnemonicsTrainingTest {

    @TempDir
    Path dir;

    private CilEngine engine() {
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
    }

    private static MemorySpec mnemonics(String storage, MnemonicsSpec options) {
        return new MemorySpec("mnemonics", 5, null, storage, options);
    }

    /** The outer loss is measured on unaugmented images; the steps then follow the same objective. */
    private static ExperimentSpec withoutAugmentation(ExperimentSpec spec) {
        TrainingSpec t = spec.training();
        return new ExperimentSpec(
                spec.name(),
                spec.seed(),
                spec.preset(),
                spec.dataset(),
                spec.protocol(),
                spec.model(),
                spec.method(),
                spec.memory(),
                spec.training().withAugment(false));
    }

    private final List<Integer> liveArrays = new ArrayList<>();

    private List<PhaseMetrics> run(CilEngine engine, RunPlan plan, Path work, List<TrainingProgress> progress)
            throws Exception {
        List<PhaseMetrics> metrics = new ArrayList<>();
        Path previous = null;
        for (int phase = 0; phase < plan.phaseCount(); phase++) {
            Path state = Files.createDirectories(work.resolve("phase-" + phase));
            metrics.add(engine.runPhase(plan, phase, previous, state, Device.cpu(), progress::add, () -> false)
                    .metrics());
            previous = state;
            try (NDManager probe = NDManager.newBaseManager()) {
                liveArrays.add(probe.getParentManager().getManagedArrays().size());
            }
        }
        return metrics;
    }

    @Test
    void bilevelMnemonicsOptimiseTheNewExemplarsKeepThemAsFloatsAndResumeFromThem() throws Exception {
        CilEngine engine = engine();
        // default options but a few passes over the tiny phases, so the outer loss has steps to fall, no held-out
        // acceptance (MnemonicsAcceptanceTest's): every stage is kept, so its storage and resume are what is checked;
        // and a bound of 8 levels, so that few values sit on the box's edges, which are whole levels
        RunPlan plan = engine.plan(withoutAugmentation(PhaseStateTest.spec(
                "icarl", mnemonics(null, new MnemonicsSpec(null, null, null, null, 5, null, null, 8.0, 0.0)))));
        List<TrainingProgress> progress = new ArrayList<>();
        List<PhaseMetrics> metrics = run(engine, plan, dir.resolve("a"), progress);

        for (PhaseMetrics phase : metrics) {
            MnemonicsMetrics report = phase.report(MnemonicsMetrics.class);
            assertThat(report).isNotNull();
            assertThat(report.mode()).isEqualTo("bilevel");
            assertThat(report.adjustedExemplars()).isEqualTo(10); // 2 new classes x 5
            assertThat(report.steps()).isPositive();
            assertThat(report.meanAbsoluteChange()).isGreaterThan(0.5);
            assertThat(report.outerLossAfter()).isLessThan(report.outerLossBefore());
            assertThat(report.skippedSteps()).isZero();
            // float32 exemplars: four bytes per value
            assertThat(phase.memoryBytes()).isEqualTo(4L * phase.exemplarCount() * 16 * 16);
        }
        assertThat(progress).anyMatch(p -> p.stage().equals("mnemonics"));
        assertThat(liveArrays)
                .as("the stage frees every array it made")
                .allMatch(count -> count.equals(liveArrays.get(0)));

        ExemplarSet saved = PhaseState.readMemory(dir.resolve("a/phase-1"));
        assertThat(saved.storage()).isEqualTo(ExemplarStorage.FLOAT32);
        assertThat(saved.kinds()).containsOnly(ExemplarKind.OPTIMIZED);
        assertThat(saved.values()).isNotNull();
        long offGrid = 0;
        for (float v : saved.values()) {
            offGrid += v != Math.round(v) ? 1 : 0;
        }
        assertThat(offGrid)
                .as("optimised values lie between the uint8 levels")
                .isGreaterThan(saved.values().length / 2);
        // the download's before/after: each optimised exemplar's training image, by its source index
        ImageDataset train = new DatasetCatalog(new DataRoots(List.of(dir)))
                .load(plan.spec().dataset())
                .train();
        Map<Integer, byte[]> originals =
                ExemplarOriginals.read(dir.resolve("a/phase-1").resolve(ExemplarOriginals.FILE_NAME));
        assertThat(originals).hasSize(saved.size());
        int imageBytes = train.imageBytes();
        originals.forEach((position, image) -> {
            int source = saved.sourceIndices()[position];
            assertThat(train.labels()[source]).isEqualTo(saved.labels()[position]);
            assertThat(image)
                    .isEqualTo(Arrays.copyOfRange(train.pixels(), source * imageBytes, (source + 1) * imageBytes));
        });
        // old classes' exemplars are kept as they were optimised in their own phase (adjust: new)
        ExemplarSet before = PhaseState.readMemory(dir.resolve("a/phase-0"));
        assertThat(Arrays.copyOf(saved.values(), before.values().length)).isEqualTo(before.values());

        // another worker resumes phase 2 from the saved state of phase 1: same exemplars in, same numbers out
        CilEngine other = engine();
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        PhaseMetrics phase2 = other.runPhase(
                        other.plan(plan.spec()),
                        2,
                        dir.resolve("a/phase-1"),
                        resumed,
                        Device.cpu(),
                        p -> {},
                        () -> false)
                .metrics();
        assertThat(phase2.accuracy()).isEqualTo(metrics.get(2).accuracy());
        assertThat(phase2.report(MnemonicsMetrics.class).outerLossAfter())
                .isEqualTo(metrics.get(2).report(MnemonicsMetrics.class).outerLossAfter());
        assertThat(PhaseState.readMemory(resumed).values())
                .isEqualTo(PhaseState.readMemory(dir.resolve("a/phase-2")).values());
    }

    @Test
    void fosterOptimisesItsExemplarsOnTheTwoExtractorTeacherAndResumesFromThem() throws Exception {
        CilEngine engine = engine();
        ExperimentSpec base = PhaseStateTest.spec(
                "foster", mnemonics(null, new MnemonicsSpec(null, null, null, null, 5, null, null, null, 0.0)));
        MethodSpec foster = new FosterSpec("foster", null, null, null, null, 1, 0.05, null, null, null, null);
        RunPlan plan = engine.plan(withoutAugmentation(new ExperimentSpec(
                base.name(),
                base.seed(),
                base.preset(),
                base.dataset(),
                base.protocol(),
                base.model(),
                foster,
                base.memory(),
                base.training())));
        List<TrainingProgress> progress = new ArrayList<>();
        List<PhaseMetrics> metrics = run(engine, plan, dir.resolve("foster"), progress);
        for (PhaseMetrics phase : metrics) {
            MnemonicsMetrics report = phase.report(MnemonicsMetrics.class);
            assertThat(report.adjustedExemplars()).isEqualTo(10);
            assertThat(report.steps()).isPositive();
            assertThat(report.meanAbsoluteChange()).isGreaterThan(0.5);
            assertThat(report.outerLossAfter()).isLessThan(report.outerLossBefore());
        }
        assertThat(progress).anyMatch(p -> p.stage().equals("boosting"));
        assertThat(progress).anyMatch(p -> p.stage().equals("compression"));
        assertThat(PhaseState.readMemory(dir.resolve("foster/phase-2")).kinds()).containsOnly(ExemplarKind.OPTIMIZED);

        CilEngine other = engine();
        Path resumed = Files.createDirectories(dir.resolve("foster-resumed"));
        PhaseMetrics phase2 = other.runPhase(
                        other.plan(plan.spec()),
                        2,
                        dir.resolve("foster/phase-1"),
                        resumed,
                        Device.cpu(),
                        p -> {},
                        () -> false)
                .metrics();
        assertThat(phase2.accuracy()).isEqualTo(metrics.get(2).accuracy());
        assertThat(PhaseState.readMemory(resumed).values())
                .isEqualTo(PhaseState.readMemory(dir.resolve("foster/phase-2")).values());
    }

    @Test
    void resNet32OnAugmentedRgbImagesOptimisesExemplarsThroughBatchNormInEvalMode() {
        CilEngine engine = engine();
        ExperimentSpec spec = new ExperimentSpec(
                "resnet-mnemonics",
                1L,
                null,
                new DatasetSpec("synthetic", null, null, 4, 40, 10, 32, 3),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("resnet32", null, "cosine"),
                MethodSpec.named("lucir"),
                new MemorySpec("mnemonics", 4, null, null, new MnemonicsSpec(null, 2, null, null, null, null)),
                new TrainingSpec(
                        1, null, 16, new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null), null, true));
        LocalRun.Result result = LocalRun.run(engine, spec, dir.resolve("resnet"), Device.cpu(), p -> {});
        PhaseMetrics last = result.phases().get(1);
        assertThat(last.report(MnemonicsMetrics.class).adjustedExemplars()).isEqualTo(2 * 4);
        assertThat(last.report(MnemonicsMetrics.class).meanAbsoluteChange()).isPositive();
        assertThat(Double.isFinite(last.report(MnemonicsMetrics.class).outerLossAfter()))
                .isTrue();
        assertThat(last.memoryBytes()).isEqualTo(4L * 4 * 4 * 32 * 32 * 3);
        assertThat(last.accuracy()).isBetween(0.0, 1.0);
    }

    @Test
    void lowerPrecisionsAreAccountedAtTheirSize() throws Exception {
        for (String storage : List.of("float16", "uint8")) {
            // the published code's loop with a visible learning rate: it keeps every stage (no held-out acceptance)
            String mode = "code";
            MnemonicsSpec options = new MnemonicsSpec("code", null, null, 0.5, null, "all");
            CilEngine engine = engine();
            RunPlan plan = engine.plan(PhaseStateTest.spec("replay", mnemonics(storage, options)));
            List<PhaseMetrics> metrics = run(engine, plan, dir.resolve(storage), new ArrayList<>());
            PhaseMetrics last = metrics.get(metrics.size() - 1);
            assertThat(last.report(MnemonicsMetrics.class).mode()).isEqualTo(mode);
            assertThat(last.report(MnemonicsMetrics.class).adjustedExemplars())
                    .isEqualTo(last.exemplarCount()); // adjust: all
            int bytesPerValue = storage.equals("float16") ? 2 : 1;
            assertThat(last.memoryBytes()).isEqualTo((long) bytesPerValue * last.exemplarCount() * 16 * 16);
            ExemplarSet saved = PhaseState.readMemory(dir.resolve(storage).resolve("phase-" + (metrics.size() - 1)));
            assertThat(saved.kinds()).containsOnly(ExemplarKind.OPTIMIZED);
            if (storage.equals("uint8")) {
                assertThat(saved.values()).isNull();
            } else {
                for (float v : saved.values()) {
                    assertThat(ExemplarStorage.FLOAT16.quantise(v)).isEqualTo(v);
                }
            }
        }
    }
}
