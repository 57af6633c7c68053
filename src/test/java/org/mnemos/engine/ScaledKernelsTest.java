package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.phase.PhaseState;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * {@code model.scaledKernels}: phase 0 trains a plain ResNet-8; from phase 1 on its convolution
 * kernels keep their phase-0 values while the per-kernel scales, BatchNorm and the head train.
 */
class ScaledKernelsTest {

    @TempDir
    Path dir;

    private static ExperimentSpec spec(String backbone, Boolean scaledKernels) {
        return new ExperimentSpec(
                "scaled-kernels",
                3L,
                null,
                new DatasetSpec("synthetic", null, null, 6, 40, 10, 16, 1),
                new ProtocolSpec(2, 2, null, null, "seeded", 5L, null),
                new ModelSpec(backbone, null, "cosine", null, null, null, scaledKernels),
                MethodSpec.named("icarl"),
                new MemorySpec("herding", 4, null),
                new TrainingSpec(2, null, 16, new OptimizerSpec("sgd", 0.1, 0.9, 5e-4, false, null, null), null, true));
    }

    /** Every parameter of the network a phase saved, by name. */
    private Map<String, float[]> parameters(ExperimentSpec spec, Path state, int phase, NDManager manager) {
        PhaseState saved = PhaseState.read(state);
        IncrementalNet net = IncrementalNet.rebuild(
                IncrementalNet.builderFor(spec.model(), 1, 16, 16, phase),
                new Shape(1, 1, 16, 16),
                saved.segmentSizes(),
                manager);
        saved.loadParameters(state, net, manager);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (var entry : net.getParameters()) {
            Parameter parameter = entry.getValue();
            values.put(entry.getKey(), parameter.getArray().toFloatArray());
        }
        return values;
    }

    @Test
    void fromPhaseOneTheKernelsStayAtPhaseZerosValuesWhileTheScalesAndBatchNormTrain() {
        ExperimentSpec spec = spec("resnet8", true);
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        List<PhaseMetrics> phases = LocalRun.run(engine, spec, dir.resolve("run"), Device.cpu(), p -> {})
                .phases();
        assertThat(phases).hasSize(3);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Map<String, float[]> phase0 = parameters(spec, dir.resolve("run/phase-0"), 0, manager);
            Map<String, float[]> phase1 = parameters(spec, dir.resolve("run/phase-1"), 1, manager);
            Map<String, float[]> phase2 = parameters(spec, dir.resolve("run/phase-2"), 2, manager);
            int kernels = 0;
            int scales = 0;
            for (var entry : phase1.entrySet()) {
                String name = entry.getKey();
                if (!name.contains("backbone")) {
                    continue; // the cosine head's σ is a "scale" too
                }
                if (name.endsWith("_scale")) {
                    scales++;
                    assertThat(phase0).doesNotContainKey(name);
                    float[] scale = entry.getValue();
                    boolean moved = false;
                    for (float s : scale) {
                        moved |= s != 1f;
                    }
                    assertThat(moved).as("%s trained away from 1", name).isTrue();
                    assertThat(phase2.get(name))
                            .as("%s trains on in phase 2", name)
                            .isNotEqualTo(scale);
                } else if (phase1.containsKey(name.replace("_weight", "_scale")) && name.endsWith("_weight")) {
                    kernels++;
                    assertThat(entry.getValue())
                            .as("%s kept its phase-0 values", name)
                            .isEqualTo(phase0.get(name));
                    assertThat(phase2.get(name)).as("%s still in phase 2", name).isEqualTo(phase0.get(name));
                }
            }
            assertThat(kernels)
                    .as("every convolution: stem, two per block, two projections")
                    .isEqualTo(1 + 2 * 3 + 2);
            assertThat(scales).isEqualTo(kernels);
            long batchNormChanged = phase1.keySet().stream()
                    .filter(name -> name.endsWith("_gamma"))
                    .filter(name -> !java.util.Arrays.equals(phase1.get(name), phase0.get(name)))
                    .count();
            assertThat(batchNormChanged).as("BatchNorm trains").isPositive();
        }
        // fewer parameters train from phase 1: the kernels' scales are 1/9 of a 3x3 kernel
        assertThat(phases.get(1).trainableParameters()).isLessThan(phases.get(0).trainableParameters());
    }

    @Test
    void anMlpHasNoKernelsToScale() {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        assertThatThrownBy(() -> LocalRun.run(engine, spec("mlp", true), dir.resolve("mlp"), Device.cpu(), p -> {}))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("model.scaledKernels");
    }
}
