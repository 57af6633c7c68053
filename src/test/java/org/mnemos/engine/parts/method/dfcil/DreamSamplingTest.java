package org.mnemos.engine.parts.method.dfcil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.spec.InversionSpec;

/**
 * {@code sampleMode}: in evaluation mode (the authors' default) the generator's last BatchNorm divides
 * its tanh outputs by the running statistics (here the fresh 0 and 1, so every value stays inside
 * (−1, 1)); in training mode it normalises each drawn batch by its own statistics, so every channel
 * comes out with mean 0 and variance 1.
 */
class DreamSamplingTest {

    private static ModelInversion generator(String sampleMode, NDManager manager) {
        Engine.getInstance().setRandomSeed(7);
        InversionSpec options = InversionOptions.resolve(
                new InversionSpec(1, 8, null, 32, null, null, null, null, null, sampleMode, null), true);
        return new ModelInversion(options, 1, 28, 28, manager);
    }

    @Test
    void theDefaultDrawsWithTheRunningStatistics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray dreams = generator(null, manager).sample(64, manager);
            assertThat(dreams.abs().max().getFloat()).isLessThan(1f);
            assertThat(variance(dreams)).isLessThan(0.5);
        }
    }

    @Test
    void trainModeDrawsWithEachBatchsOwnStatistics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray dreams = generator("train", manager).sample(64, manager);
            assertThat(dreams.mean().getFloat()).isCloseTo(0f, within(1e-4f));
            assertThat(variance(dreams)).isCloseTo(1.0, within(0.01));
            assertThat(dreams.abs().max().getFloat()).isGreaterThan(1f);
        }
    }

    private static double variance(NDArray x) {
        return x.sub(x.mean()).square().mean().getFloat();
    }
}
