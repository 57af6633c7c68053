package org.mnemos.engine.util;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhaseRandomStateTest {

    @Test
    void drawsAsSplittableRandomDidAndARestoredStateRepeatsTheDraws() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                PhaseRandom.Binding draws = PhaseRandom.bind(1234)) {
            SplittableRandom expected = new SplittableRandom(1234);
            float[] normal = PhaseRandom.normal(manager, 0f, 1f, new Shape(1000), DataType.FLOAT32)
                    .toFloatArray();
            for (float value : normal) {
                assertThat(value).isEqualTo((float) expected.nextGaussian());
            }
            long state = PhaseRandom.state();
            float[] uniform = PhaseRandom.uniform(manager, -1f, 2f, new Shape(500), DataType.FLOAT32)
                    .toFloatArray();
            PhaseRandom.restore(state);
            assertThat(PhaseRandom.uniform(manager, -1f, 2f, new Shape(500), DataType.FLOAT32)
                            .toFloatArray())
                    .isEqualTo(uniform);
        }
    }
}
