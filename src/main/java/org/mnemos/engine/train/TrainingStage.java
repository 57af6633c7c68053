package org.mnemos.engine.train;

import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;

/**
 * One optimisation stage of a phase (the main training, BiC's bias stage, a class-balanced
 * finetuning): either {@code epochs} over the data or {@code iterations} batches; the learning-rate
 * schedule counts epochs, or iterations in iteration mode.
 */
public record TrainingStage(
        String name, int epochs, int iterations, int batchSize, OptimizerSpec optimizer, ScheduleSpec schedule) {

    public TrainingStage {
        if ((epochs > 0) == (iterations > 0)) {
            throw new IllegalArgumentException("a stage runs either epochs or iterations: " + epochs + "/" + iterations);
        }
    }

    /** Optimizer steps this stage takes over {@code samples} training images. */
    public long steps(int samples) {
        return iterations > 0 ? iterations : (long) epochs * batchesPerEpoch(samples);
    }

    int batchesPerEpoch(int samples) {
        int full = samples / batchSize;
        // a trailing batch of one image would break batch normalisation; PyTorch users drop it too
        return samples % batchSize > 1 ? full + 1 : Math.max(full, 1);
    }
}
