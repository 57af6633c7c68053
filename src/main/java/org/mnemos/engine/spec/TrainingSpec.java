package org.mnemos.engine.spec;

/**
 * Either {@code epochs} or {@code iterations} per phase. {@code baseEpochs}/{@code baseIterations}
 * optionally override them for phase 0.
 */
public record TrainingSpec(
        Integer epochs,
        Integer iterations,
        Integer baseEpochs,
        Integer baseIterations,
        Integer batchSize,
        OptimizerSpec optimizer,
        ScheduleSpec schedule,
        Boolean augment) {}
