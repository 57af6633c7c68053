package org.mnemos.engine.phase;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The evaluator's top-5: the true class among the five highest scores of its row. */
class TopFiveTest {

    @Test
    void aRowHitsWhenItsClassRanksInTheFirstFiveAndMissesAtSixth() {
        float[] scores = {
            // ranks: 1 > 4 > 5 > 2 > 3 > 0 > 6
            0.10f, 0.90f, 0.30f, 0.20f, 0.50f, 0.40f, 0.00f,
            0.10f, 0.90f, 0.30f, 0.20f, 0.50f, 0.40f, 0.00f,
            0.10f, 0.90f, 0.30f, 0.20f, 0.50f, 0.40f, 0.00f
        };
        int[] labels = {-1, -1, 3, 0, 1};
        boolean[] hits = new boolean[5];
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // rows 2.. of the test set: class 3 ranks fifth (hit), class 0 sixth (miss), class 1 first (hit)
            Evaluator.markTop5(manager.create(scores, new Shape(3, 7)), labels, 2, hits);
        }
        assertThat(hits).containsExactly(false, false, true, false, true);
    }
}
