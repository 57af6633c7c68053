package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.ClutteredFashion;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.data.SyntheticDataset;
import org.mnemos.engine.memory.ExemplarCompression;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.metrics.CimMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.CamCompressionSpec;
import org.mnemos.engine.spec.CimCompressionSpec;
import org.mnemos.engine.spec.CompressionSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.NoCompressionSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * The compression pipeline's controls (issue 22): with a budget in image units, {@code ratio: 1}
 * stores what herding stores; {@code threshold: 1} (no CAM value exceeds it, so every box is empty)
 * stores r times as many exemplars, each the whole image downsampled. Plus the wiring: the
 * regeneration schedule follows the stage's length, and the stand-in's exemplars are compressed at
 * their stored 128×128, where the downsampled surround keeps the network input's 64×64.
 */
class CompressionControlsTest {

    private static final DatasetSpec DATA = new DatasetSpec("synthetic", null, null, 4, 16, 4, 12, 3);

    @TempDir
    Path dir;

    private List<PhaseMetrics> run(DatasetSpec data, MemorySpec memory, int epochs, Path work, DataRoots roots) {
        ExperimentSpec spec = new ExperimentSpec(
                "controls",
                5L,
                null,
                data,
                new ProtocolSpec(2, 2, 4, null, "natural", null, null),
                new ModelSpec("resnet8", null, "linear"),
                MethodSpec.named("icarl"),
                memory,
                new TrainingSpec(
                        epochs, null, 16, new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null), null, true));
        return LocalRun.run(new CilEngine(new DatasetCatalog(roots)), spec, work, Device.cpu(), p -> {})
                .phases();
    }

    private List<PhaseMetrics> run(MemorySpec memory, int epochs, Path work) {
        return run(DATA, memory, epochs, work, new DataRoots(List.of(dir)));
    }

    @Test
    void ratioOneWithAnImageUnitBudgetReproducesHerdingExactly() throws Exception {
        List<PhaseMetrics> herding = run(
                new MemorySpec("herding", 3, null, null, null, null, new NoCompressionSpec("none")),
                1,
                dir.resolve("herding"));
        List<PhaseMetrics> ratioOne = run(
                new MemorySpec("herding", 3, null, null, null, null, new CamCompressionSpec("cam", 1.0, 0.6)),
                1,
                dir.resolve("cam"));
        for (int phase = 0; phase < 2; phase++) {
            assertThat(ratioOne.get(phase).accuracy())
                    .as("phase %d", phase)
                    .isEqualTo(herding.get(phase).accuracy());
            ExemplarSet plain =
                    ExemplarSet.read(dir.resolve("herding/phase-" + phase).resolve(ExemplarSet.FILE_NAME));
            ExemplarSet compressed =
                    ExemplarSet.read(dir.resolve("cam/phase-" + phase).resolve(ExemplarSet.FILE_NAME));
            assertThat(compressed.kinds()).containsOnly(ExemplarKind.COMPRESSED);
            assertThat(compressed.sourceIndices()).isEqualTo(plain.sourceIndices());
            assertThat(compressed.labels()).isEqualTo(plain.labels());
            assertThat(compressed.pixels()).isEqualTo(plain.pixels());
        }
    }

    @Test
    void thresholdOneStoresRTimesAsManyWholeImageDownsampledExemplars() throws Exception {
        run(
                new MemorySpec("herding", 2, null, null, null, null, new CamCompressionSpec("cam", 4.0, 1.0)),
                1,
                dir.resolve("empty"));
        ImageDataset train = SyntheticDataset.fromSpec(DATA).generate().train();
        int imageBytes = train.imageBytes();
        ExemplarSet memory = ExemplarSet.read(dir.resolve("empty/phase-1").resolve(ExemplarSet.FILE_NAME));
        for (int label = 0; label < 4; label++) {
            int finalLabel = label;
            assertThat(Arrays.stream(memory.labels())
                            .filter(l -> l == finalLabel)
                            .count())
                    .as("class %d", label)
                    .isEqualTo(2 * 4);
        }
        for (int i = 0; i < memory.size(); i++) {
            assertThat(memory.box(i)).containsExactly(0, 0, 0, 0);
            assertThat(memory.unitCost(i)).isEqualTo(0.25);
            byte[] expected = ExemplarCompression.rebuild(ExemplarCompression.compress(
                    train.pixels(), memory.sourceIndices()[i] * imageBytes, 12, 12, 3, new int[] {0, 0, 0, 0}, 4f));
            assertThat(Arrays.copyOfRange(memory.pixels(), i * imageBytes, (i + 1) * imageBytes))
                    .as("exemplar %d", i)
                    .isEqualTo(expected);
            // the whole image at half resolution: every 2×2 cell holds one value
            assertThat(expected[0]).isEqualTo(expected[3]);
        }
    }

    @Test
    void theDefaultScheduleRegeneratesBoxesAndCompressesNewImagesInShortPhases() {
        CimCompressionSpec defaults = new CimCompressionSpec(
                "cim", null, 0.9, null, 1.0, 4, null, null, null, null, null, null, null, null, null, null);
        // 5 epochs: an interval of round(0.2 · 5) = 1, regenerations at the start of epochs 1, 2 and 3 (not the last)
        List<PhaseMetrics> metrics =
                run(new MemorySpec("herding", 3, null, null, null, null, defaults), 5, dir.resolve("short"));
        for (PhaseMetrics phase : metrics) {
            assertThat(phase.report(CimMetrics.class).boxRegenerations()).isEqualTo(3);
            assertThat(phase.report(CimMetrics.class).compressedTrainingImages())
                    .isGreaterThan(0);
        }
    }

    @Test
    void theRegenerationIntervalIsAFractionOfTheStageUnlessFixed() {
        CimCompressionSpec proportional = CimCompressionSpec.defaults();
        assertThat(proportional.regenerationInterval(200)).isEqualTo(40);
        assertThat(proportional.regenerationInterval(170)).isEqualTo(34);
        assertThat(proportional.regenerationInterval(10)).isEqualTo(2);
        assertThat(proportional.regenerationInterval(2)).isEqualTo(1);
        CimCompressionSpec fixed = new CimCompressionSpec(
                        "cim", null, null, null, null, null, null, null, null, null, null, null, 40, null, null, null)
                .resolved();
        assertThat(fixed.regenerationInterval(10)).isEqualTo(40);
        assertThat(fixed.regenerationInterval(170)).isEqualTo(40);
        // a per-phase meta-step budget is spread evenly over the epochs
        CimCompressionSpec budget = new CimCompressionSpec(
                        "cim", null, null, null, null, null, null, null, null, null, null, null, null, null, null, 10)
                .resolved();
        int total = 0;
        for (int epoch = 0; epoch < 4; epoch++) {
            total += budget.metaIterations(epoch, 4, 2);
        }
        assertThat(total).isEqualTo(10);
        assertThat(proportional.metaIterations(0, 4, 2)).isEqualTo(1);
    }

    @Test
    void theStandInsExemplarsAreCompressedAtTheirStoredResolution() throws Exception {
        Path shared = Path.of("/work/shared/data");
        Assumptions.assumeTrue(Files.isDirectory(shared.resolve("fashion-mnist")));
        DatasetSpec clutter = new DatasetSpec(ClutteredFashion.NAME, null, null, null, 6, 2, null, null);
        CompressionSpec cam = new CamCompressionSpec("cam", 4.0, 0.6);
        run(
                clutter,
                new MemorySpec("herding", 2, null, null, null, null, cam),
                1,
                dir.resolve("clutter"),
                new DataRoots(List.of(shared)));
        ExemplarSet memory = ExemplarSet.read(dir.resolve("clutter/phase-1").resolve(ExemplarSet.FILE_NAME));
        ImageDataset train =
                new DatasetCatalog(new DataRoots(List.of(shared))).load(clutter).train();
        assertThat(memory.height()).isEqualTo(128);
        assertThat(memory.width()).isEqualTo(128);
        int imageBytes = 128 * 128;
        for (int i = 0; i < memory.size(); i++) {
            int[] box = memory.box(i);
            assertThat(box[1]).isLessThanOrEqualTo(128);
            // what is stored is the 128×128 original compressed: its surround keeps 64×64 samples, the network's input
            byte[] expected = ExemplarCompression.rebuild(ExemplarCompression.compress(
                    train.pixels(), memory.sourceIndices()[i] * imageBytes, 128, 128, 1, box, 4f));
            assertThat(Arrays.copyOfRange(memory.pixels(), i * imageBytes, (i + 1) * imageBytes))
                    .as("exemplar %d", i)
                    .isEqualTo(expected);
            assertThat(ExemplarCompression.downsampledSide(128, 4)).isEqualTo(ClutteredFashion.INPUT_SIDE);
        }
        assertThat(memory.size()).isGreaterThan(4 * 2);
    }
}
