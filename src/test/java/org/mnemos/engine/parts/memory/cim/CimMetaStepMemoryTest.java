package org.mnemos.engine.parts.memory.cim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.model.CifarResNet;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.RationalActivations;
import org.mnemos.engine.util.ResidentMemory;

/**
 * The second-order meta-step frees what it allocates. With {@code backward(create_graph)} every
 * step left its fast weights and their whole double-backward graph alive (a leaf ↔ gradient cycle
 * libtorch never frees): about 220 MB per step here, which OOM-killed FOSTER + CIM bench runs.
 */
class CimMetaStepMemoryTest {

    private static final int WARM_UP_STEPS = 5;
    private static final int MEASURED_STEPS = 10;
    /** The leak grew resident memory by ~2.2 GB over the measured steps; a correct step grows it by a few MB. */
    private static final long ALLOWED_GROWTH_MB = 500;

    @Test
    void secondOrderMetaStepsDoNotAccumulateNativeMemory() {
        assertThat(ResidentMemory.kilobytes()).as("VmRSS in /proc/self/status").isPositive();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = IncrementalNet.builder()
                    .setBackbone(CifarResNet.builder().optBlocksPerStage(1).build())
                    .build();
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            net.addClasses(4, manager);
            RationalActivations activations = new RationalActivations();
            NDArray images = manager.randomUniform(0, 1, new Shape(16, 3, 32, 32));
            NDArray labels = manager.create(new long[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3});
            long before = 0;
            for (int i = 0; i < WARM_UP_STEPS + MEASURED_STEPS; i++) {
                if (i == WARM_UP_STEPS) {
                    before = ResidentMemory.kilobytes() / 1024;
                }
                // as in training: the batch lives in the step's manager, so everything derived from it does too
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = images.duplicate();
                    x.attach(step);
                    NDArray y = labels.duplicate();
                    y.attach(step);
                    CimTraining.MetaStep result = CimTraining.metaStep(net, activations, x, y, x, y, 0.1, false, step);
                    assertThat(result.outerLoss()).isFinite();
                }
            }
            assertThat(ResidentMemory.kilobytes() / 1024 - before)
                    .as("resident memory growth over %d meta-steps, MB", MEASURED_STEPS)
                    .isLessThan(ALLOWED_GROWTH_MB);
        }
    }
}
