package org.mnemos.engine.phase;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The evaluator's task-aware predictions from a batch of scores on the device. */
class TaskAwareScoresTest {

    @Test
    void aBatchsRowsAreClassifiedWithinTheirTaskAndWrittenAtTheirOffset() {
        // tasks [0, 1, 2] and [3, 4]; rows 1.. of the test set
        float[] scores = {
            0.1f, 0.2f, 0.0f, 0.9f, 0.3f, // class 2: task 0's best is 1
            0.1f, 0.2f, 0.0f, 0.9f, 0.3f, // class 4: task 1's best is 3
            0.7f, 0.2f, 0.0f, 0.1f, 0.3f
        }; // class 4: task 1's best is 4
        int[] labels = {-1, 2, 4, 4};
        int[] predicted = {-7, -7, -7, -7};
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Evaluator.copyTaskAware(manager.create(scores, new Shape(3, 5)), labels, 1, new int[] {0, 3}, predicted);
        }
        assertThat(predicted).containsExactly(-7, 1, 3, 4);
    }
}
