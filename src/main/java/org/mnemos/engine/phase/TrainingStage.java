package org.mnemos.engine.phase;

import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * One optimisation stage of a phase (the main training, BiC's bias stage, a class-balanced
 * finetuning): either {@code epochs} over the data or {@code iterations} batches; the learning-rate
 * schedule counts epochs, or iterations in iteration mode.
 *
 * @param accumulateGradients true never zeroes the parameters' gradients, so each step applies the
 *     sum of every gradient so far (the original AANets code's update of its aggregation weights)
 * @param shuffle false takes the data in its order in every pass (AANets' balanced loader); true shuffles each pass
 */
public record TrainingStage(
        String name,
        int epochs,
        int iterations,
        int batchSize,
        OptimizerSpec optimizer,
        ScheduleSpec schedule,
        boolean accumulateGradients,
        boolean shuffle) {

    public TrainingStage {
        if ((epochs > 0) == (iterations > 0)) {
            throw new IllegalArgumentException(
                    "a stage runs either epochs or iterations: " + epochs + "/" + iterations);
        }
    }

    /** A stage that shuffles its data every pass. */
    public TrainingStage(
            String name,
            int epochs,
            int iterations,
            int batchSize,
            OptimizerSpec optimizer,
            ScheduleSpec schedule,
            boolean accumulateGradients) {
        this(name, epochs, iterations, batchSize, optimizer, schedule, accumulateGradients, true);
    }

    /** A stage that zeroes the gradients before every step. */
    public TrainingStage(
            String name, int epochs, int iterations, int batchSize, OptimizerSpec optimizer, ScheduleSpec schedule) {
        this(name, epochs, iterations, batchSize, optimizer, schedule, false, true);
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

    /** The main stage of {@code phase} as {@code training} describes it; phase 0 takes what {@code training.base} overrides. */
    static TrainingStage main(TrainingSpec training, int phase, String name) {
        var base = phase == 0 ? training.base() : null;
        if (base == null) {
            return new TrainingStage(
                    name,
                    orZero(training.epochs()),
                    orZero(training.iterations()),
                    training.batchSize(),
                    training.optimizer(),
                    training.schedule());
        }
        return new TrainingStage(
                name,
                base.epochs() != null ? base.epochs() : orZero(training.epochs()),
                base.iterations() != null ? base.iterations() : orZero(training.iterations()),
                training.batchSize(),
                base.optimizer() != null ? base.optimizer() : training.optimizer(),
                base.schedule() != null ? base.schedule() : training.schedule());
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
