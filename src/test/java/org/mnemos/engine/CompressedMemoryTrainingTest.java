package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.memory.ExemplarHeatmaps;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.metrics.CimMetrics;
import org.mnemos.engine.metrics.MemoryMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.CamCompressionSpec;
import org.mnemos.engine.spec.CimCompressionSpec;
import org.mnemos.engine.spec.CompressionSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Compressed exemplars end to end on small synthetic images with ResNet-8 (ResNet-32 with one block per stage): the budget in
 * full-image units and in bytes, more exemplars than full images would allow, the mask model's
 * training, box regeneration with random compression of new-class images, and a phase resumed by
 * another engine from the saved state giving the same numbers.
 */
class CompressedMemoryTrainingTest {

    @TempDir
    Path dir;

    private CilEngine engine() {
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
    }

    private static ExperimentSpec spec(MemorySpec memory) {
        return spec(memory, 1);
    }

    private static ExperimentSpec spec(MemorySpec memory, int epochs) {
        return spec(MethodSpec.named("icarl"), memory, epochs);
    }

    private static ExperimentSpec spec(MethodSpec method, MemorySpec memory, int epochs) {
        return new ExperimentSpec(
                "compressed",
                3L,
                null,
                new DatasetSpec("synthetic", null, null, 4, 16, 4, 12, 3),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("resnet8", null, "linear"),
                method,
                memory,
                new TrainingSpec(
                        epochs, null, 16, new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null), null, true));
    }

    private static CimCompressionSpec cim() {
        return new CimCompressionSpec(
                "cim", null, 0.3, null, 1.0, 4, null, null, null, null, null, null, null, null, null, null);
    }

    private List<PhaseMetrics> run(ExperimentSpec spec, Path work) {
        return LocalRun.run(engine(), spec, work, Device.cpu(), p -> {}).phases();
    }

    @Test
    void camKeepsMoreExemplarsThanFullImagesWithinTheUnitBudget() throws Exception {
        CompressionSpec cam = new CamCompressionSpec("cam", 4.0, 0.9);
        List<PhaseMetrics> metrics =
                run(spec(new MemorySpec("herding", 3, null, null, null, null, cam)), dir.resolve("cam"));
        ExemplarSet memory = ExemplarSet.read(dir.resolve("cam/phase-1").resolve(ExemplarSet.FILE_NAME));
        assertThat(memory.kinds()).containsOnly(ExemplarKind.COMPRESSED);
        for (int label = 0; label < 4; label++) {
            double spent = 0;
            int count = 0;
            for (int i = 0; i < memory.size(); i++) {
                if (memory.labels()[i] == label) {
                    spent += memory.unitCost(i);
                    count++;
                }
            }
            assertThat(spent).as("class %d", label).isLessThanOrEqualTo(3.0);
            assertThat(count).as("class %d", label).isGreaterThanOrEqualTo(3);
        }
        assertThat(memory.size()).isGreaterThan(4 * 3);
        PhaseMetrics last = metrics.get(1);
        assertThat(last.exemplarCount()).isEqualTo(memory.size());
        assertThat(last.report(MemoryMetrics.class).storedBytes()).isEqualTo(memory.storedBytes());
        assertThat(last.report(MemoryMetrics.class).meanCompressionRate()).isBetween(0.25, 1.0);
        assertThat(last.report(MemoryMetrics.class).exemplarsPerClass()).isEqualTo(memory.size() / 4.0);
        assertThat(ExemplarHeatmaps.read(dir.resolve("cam/phase-1").resolve(ExemplarHeatmaps.FILE_NAME)))
                .isNotEmpty();
    }

    @Test
    void cimTrainsItsActivationsAndAResumedPhaseReproducesTheUninterruptedOne() throws Exception {
        long bytes = 4L * 3 * (12 * 12 * 3 + 4);
        ExperimentSpec spec = spec(new MemorySpec("herding", null, null, null, null, bytes, cim()));
        List<PhaseMetrics> first = run(spec, dir.resolve("a"));
        for (PhaseMetrics phase : first) {
            assertThat(phase.report(CimMetrics.class).metaSteps()).isGreaterThan(0);
            assertThat(phase.report(MemoryMetrics.class).storedBytes()).isLessThanOrEqualTo(bytes);
        }
        assertThat(Files.exists(dir.resolve("a/phase-0/cim-activations.bin"))).isTrue();

        CilEngine other = engine();
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        PhaseMetrics again = other.runPhase(
                        other.plan(spec), 1, dir.resolve("a/phase-0"), resumed, Device.cpu(), p -> {}, () -> false)
                .metrics();
        assertThat(again.accuracy()).isEqualTo(first.get(1).accuracy());
        assertThat(again.exemplarCount()).isEqualTo(first.get(1).exemplarCount());
        assertThat(again.report(MemoryMetrics.class).storedBytes())
                .isEqualTo(first.get(1).report(MemoryMetrics.class).storedBytes());
        assertThat(Files.readAllBytes(resumed.resolve(ExemplarSet.FILE_NAME)))
                .isEqualTo(Files.readAllBytes(dir.resolve("a/phase-1").resolve(ExemplarSet.FILE_NAME)));
        assertThat(Files.readAllBytes(resumed.resolve("cim-activations.bin")))
                .isEqualTo(Files.readAllBytes(dir.resolve("a/phase-1/cim-activations.bin")));
    }

    /** A mask model with a high threshold (small boxes), regenerating its boxes every {@code every} epochs. */
    private static CimCompressionSpec regenerating(int every, double step) {
        return new CimCompressionSpec(
                "cim", null, 0.9, null, 1.0, 4, null, null, null, null, null, null, every, step, null, null);
    }

    @Test
    void regeneratedBoxesFeedCompressedNewClassImagesAndAResumedPhaseReproducesTheUninterruptedOne() throws Exception {
        long bytes = 4L * 3 * (12 * 12 * 3 + 4);
        // 4 epochs: boxes regenerated at the start of epochs 1 (p = 0.5) and 2 (p = 1), not of the last one
        ExperimentSpec every = spec(new MemorySpec("herding", null, null, null, null, bytes, regenerating(1, 0.5)), 4);
        ExperimentSpec never = spec(new MemorySpec("herding", null, null, null, null, bytes, regenerating(40, 0.5)), 4);
        List<PhaseMetrics> regenerated = run(every, dir.resolve("every"));
        for (PhaseMetrics phase : regenerated) {
            assertThat(phase.report(CimMetrics.class).boxRegenerations()).isEqualTo(2);
            // 32 new-class images a pass: about half of them in epoch 1, all in epochs 2 and 3
            assertThat(phase.report(CimMetrics.class).compressedTrainingImages())
                    .isBetween(70L, 96L);
        }
        List<PhaseMetrics> plain = run(never, dir.resolve("never"));
        for (PhaseMetrics phase : plain) {
            assertThat(phase.report(CimMetrics.class).boxRegenerations()).isZero();
            assertThat(phase.report(CimMetrics.class).compressedTrainingImages())
                    .isZero();
        }
        // the network trained on other images, so the mask model and the stored exemplars differ
        assertThat(Files.readAllBytes(dir.resolve("every/phase-0/cim-activations.bin")))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("never/phase-0/cim-activations.bin")));
        assertThat(Files.readAllBytes(dir.resolve("every/phase-1").resolve(ExemplarSet.FILE_NAME)))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("never/phase-1").resolve(ExemplarSet.FILE_NAME)));

        // same seed and state, another engine: the same draws, the same network, the same memory
        CilEngine other = engine();
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        PhaseMetrics phase1 = other.runPhase(
                        other.plan(every), 1, dir.resolve("every/phase-0"), resumed, Device.cpu(), p -> {}, () -> false)
                .metrics();
        assertThat(phase1.accuracy()).isEqualTo(regenerated.get(1).accuracy());
        assertThat(phase1.report(CimMetrics.class).compressedTrainingImages())
                .isEqualTo(regenerated.get(1).report(CimMetrics.class).compressedTrainingImages());
        assertThat(Files.readAllBytes(resumed.resolve(ExemplarSet.FILE_NAME)))
                .isEqualTo(Files.readAllBytes(dir.resolve("every/phase-1").resolve(ExemplarSet.FILE_NAME)));
        assertThat(Files.readAllBytes(resumed.resolve("cim-activations.bin")))
                .isEqualTo(Files.readAllBytes(dir.resolve("every/phase-1/cim-activations.bin")));
    }

    @Test
    void fosterTrainsTheMaskModelOnItsTwoExtractorTeacherAndStoresCompressedExemplars() throws Exception {
        long bytes = 4L * 3 * (12 * 12 * 3 + 4);
        MethodSpec foster = new FosterSpec("foster", null, null, null, null, 1, 0.05, null, null, null, null);
        // 3 epochs: one regeneration, at the start of epoch 1 (p = 0.5)
        List<PhaseMetrics> metrics = run(
                spec(foster, new MemorySpec("herding", null, null, null, null, bytes, regenerating(1, 0.5)), 3),
                dir.resolve("foster"));
        for (PhaseMetrics phase : metrics) {
            assertThat(phase.report(CimMetrics.class).metaSteps()).isGreaterThan(0);
            assertThat(phase.report(CimMetrics.class).boxRegenerations()).isEqualTo(1);
            assertThat(phase.report(CimMetrics.class).compressedTrainingImages())
                    .isGreaterThan(0);
            assertThat(phase.report(MemoryMetrics.class).storedBytes()).isLessThanOrEqualTo(bytes);
        }
        ExemplarSet memory = ExemplarSet.read(dir.resolve("foster/phase-1").resolve(ExemplarSet.FILE_NAME));
        assertThat(memory.kinds()).containsOnly(ExemplarKind.COMPRESSED);
        assertThat(memory.size()).isGreaterThan(4 * 3);
    }
}
