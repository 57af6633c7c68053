package org.mnemos.engine.spec;

/**
 * Either {@code epochs} or {@code iterations} per phase. {@code augment} turns on the data set's
 * crops and flips, and {@code brightnessJitter} b adds ColorJitter(brightness=b) to them (PyCIL and
 * PODNet on CIFAR: 63/255; LUCIR: none). {@code base} optionally gives phase 0 its
 * own length, optimiser and schedule, as PyCIL trains its base task (e.g. iCaRL: 200 epochs, wd
 * 5e-4, milestones 60/120/170, then 170 epochs, wd 2e-4, milestones 80/120).
 */
public record TrainingSpec(
        Integer epochs,
        Integer iterations,
        Integer batchSize,
        OptimizerSpec optimizer,
        ScheduleSpec schedule,
        Boolean augment,
        Double brightnessJitter,
        BaseTrainingSpec base) {

    /** A spec whose phase 0 trains like every other phase. */
    public TrainingSpec(
            Integer epochs,
            Integer iterations,
            Integer batchSize,
            OptimizerSpec optimizer,
            ScheduleSpec schedule,
            Boolean augment) {
        this(epochs, iterations, batchSize, optimizer, schedule, augment, null, null);
    }

    public TrainingSpec withAugment(boolean value) {
        return new TrainingSpec(epochs, iterations, batchSize, optimizer, schedule, value, brightnessJitter, base);
    }
}
