package org.mnemos.engine.util;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The gradients through a constant survive a garbage collection between forward and backward (the
 * cause of ABD's nondeterministic NaN generator gradients: DJL's {@code mul(Number)} keeps its
 * constant in a Java buffer that autograd does not keep alive).
 */
class ScalarsTest {

    @Test
    void gradientsThroughConstantsSurviveAGarbageCollectionBeforeTheBackward() {
        assertThat(gradientAfterCollection(x -> Scalars.mul(x, 3f))).containsOnly(3f);
        assertThat(gradientAfterCollection(x -> Scalars.div(x, 4f))).containsOnly(0.25f);
        assertThat(gradientAfterCollection(x -> Scalars.pow(x, 2f))).containsExactly(4f, -2f, 6f, 0f);
        assertThat(gradientAfterCollection(x -> Scalars.maximum(x, 0.5f))).containsExactly(1f, 0f, 1f, 0f);
    }

    @Test
    void resultsMatchDjlsNumberOperations() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = manager.create(new float[] {2f, -1f, 3f, 0f});
            assertThat(Scalars.mul(x, 0.2f).toFloatArray())
                    .containsExactly(x.mul(0.2f).toFloatArray());
            assertThat(Scalars.div(x, 3f).toFloatArray())
                    .containsExactly(x.div(3f).toFloatArray());
            assertThat(Scalars.maximum(x, -0.5f).toFloatArray())
                    .containsExactly(x.maximum(-0.5f).toFloatArray());
            assertThat(Scalars.pow(x, 2f).toFloatArray())
                    .containsExactly(x.pow(2f).toFloatArray());
        }
    }

    /** d sum(f(x)) / dx at x = (2, -1, 3, 0), with collections and fresh allocations between forward and backward. */
    private static float[] gradientAfterCollection(UnaryOperator<NDArray> f) {
        float[] gradient = null;
        for (int round = 0; round < 20; round++) {
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                NDArray x = manager.create(new float[] {2f, -1f, 3f, 0f});
                x.setRequiresGradient(true);
                NDArray loss;
                Autograd.enable();
                try {
                    loss = f.apply(x).sum();
                    churn();
                    Autograd.backward(loss);
                } finally {
                    Autograd.disable();
                }
                float[] current = x.getGradient().toFloatArray();
                if (gradient != null) {
                    assertThat(current).containsExactly(gradient);
                }
                gradient = current;
            }
        }
        return gradient;
    }

    /** Collects garbage (freeing unreachable direct buffers) and reuses the freed native memory. */
    private static void churn() {
        System.gc();
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4);
            buffer.putFloat(0, Float.NaN);
            buffers.add(buffer);
        }
        System.gc();
        assertThat(buffers).hasSize(1000);
    }
}
