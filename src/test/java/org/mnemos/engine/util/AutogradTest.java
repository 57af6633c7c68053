package org.mnemos.engine.util;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void gradientsAreReturnedDifferentiableAndNeverStoredOnTheInputs() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = manager.create(new float[] {1f, 2f, 3f});
            NDArray w = manager.create(new float[] {0.5f, -1f, 2f});
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            Autograd.enable();
            try {
                NDArray loss = x.pow(manager.create(3f)).mul(w).sum();
                List<NDArray> gradients = Autograd.gradients(loss, List.of(x, w));
                // d/dx = 3x²·w, d/dw = x³
                assertThat(gradients.get(0).toFloatArray()).containsExactly(1.5f, -12f, 54f);
                assertThat(gradients.get(1).toFloatArray()).containsExactly(1f, 8f, 27f);
                assertThat(gradients.get(0).getManager()).isSameAs(loss.getManager());
                assertThat(x.getGradient().toFloatArray())
                        .as("nothing accumulated on x")
                        .containsExactly(0f, 0f, 0f);
                // second order through the returned gradient: d/dx Σ 3x²·w = 6x·w, d/dw = 3x²
                Autograd.backward(gradients.get(0).sum());
                assertThat(x.getGradient().toFloatArray()).containsExactly(3f, -12f, 36f);
                assertThat(w.getGradient().toFloatArray()).containsExactly(3f, 12f, 27f);
                assertThat(x.getName()).as("the inputs keep their names").isNull();
            } finally {
                Autograd.disable();
            }
        }
    }
}
