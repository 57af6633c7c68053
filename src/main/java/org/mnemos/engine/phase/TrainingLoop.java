package org.mnemos.engine.phase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.PhaseCancelledException;
import org.mnemos.engine.TrainingDivergedException;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.optim.Gradients;
import org.mnemos.engine.optim.LrSchedule;
import org.mnemos.engine.optim.LrSchedules;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.optim.Optimizers;
import org.mnemos.engine.util.Autograd;
import org.mnemos.engine.util.Permutations;

/**
 * The mini-batch loop every stage of every method shares: shuffling, on-device batch assembly and
 * augmentation, gradient recording, the optimizer step, the schedule, progress and cancellation.
 * What differs between methods is only the {@link StepLoss}. A NaN or infinite loss stops the stage
 * at the next progress report ({@link TrainingDivergedException}).
 */
public final class TrainingLoop {

    /** Forward pass and objective of one batch; called with gradient recording on. */
    @FunctionalInterface
    public interface StepLoss {
        NDArray compute(NDArray inputs, NDArray targets);
    }

    /**
     * Replaces images of a batch before augmentation, given the images' positions in the data set
     * (CIM's random compression of new-class images); returns {@code images} when it replaces none.
     */
    @FunctionalInterface
    public interface Substitution {
        NDArray apply(long[] indices, NDArray images, Random rng);
    }

    /**
     * What a mid-phase checkpoint of a stage holds besides the optimizer ({@link StageCheckpoints}):
     * every parameter and running statistic of the network the stage trains, and {@code settle},
     * which writes back what a step left pending (ApartBatchNorm's running statistics).
     */
    public record StageState(List<Parameter> parameters, Runnable settle) {}

    private static final long REPORT_INTERVAL_NANOS = 250_000_000L;

    private final PhaseProgress progress;
    private final CancellationSignal cancel;
    private final StageCheckpoints checkpoints;

    public TrainingLoop(PhaseProgress progress, CancellationSignal cancel) {
        this(progress, cancel, StageCheckpoints.none());
    }

    TrainingLoop(PhaseProgress progress, CancellationSignal cancel, StageCheckpoints checkpoints) {
        this.progress = progress;
        this.cancel = cancel;
        this.checkpoints = checkpoints;
    }

    /** The phase's progress stream, for stages that run their own loop (mnemonics). */
    public PhaseProgress progress() {
        return progress;
    }

    /** Throws {@link PhaseCancelledException} when the phase was cancelled. */
    public void checkCancelled() {
        if (cancel.isCancelled()) {
            throw new PhaseCancelledException(progress.phase());
        }
    }

    /**
     * Runs {@code stage} over {@code data} (images with incremental labels) updating {@code parameters}.
     *
     * @param manager the phase's manager; every array of a step lives in a sub-manager of it closed per step
     */
    public void run(
            TrainingStage stage,
            List<Parameter> parameters,
            DeviceDataset data,
            BatchTransform transform,
            Random rng,
            NDManager manager,
            StepLoss stepLoss) {
        try (Optimizer optimizer = Optimizers.create(stage.optimizer())) {
            run(stage, parameters, data, transform, rng, manager, stepLoss, optimizer, epoch -> {}, null, null);
        }
    }

    /**
     * As above with an optimizer the caller owns (its state, such as momentum, may outlive the stage:
     * AANets' aggregation weights take one short stage per epoch of the main one on a single
     * optimizer), calling {@code afterEpoch} with the epoch's index after each pass over the data,
     * and {@code substitution} (null for none) replacing images of each batch before augmentation;
     * {@code state} (null: none) is what the stage's mid-phase checkpoints hold besides the optimizer.
     */
    public void run(
            TrainingStage stage,
            List<Parameter> parameters,
            DeviceDataset data,
            BatchTransform transform,
            Random rng,
            NDManager manager,
            StepLoss stepLoss,
            Optimizer optimizer,
            IntConsumer afterEpoch,
            Substitution substitution,
            StageState state) {
        try (StageCheckpoints.Stage checkpointed = checkpoints.enter(stage, parameters, optimizer, rng, state)) {
            steps(
                    stage,
                    parameters,
                    data,
                    transform,
                    rng,
                    manager,
                    stepLoss,
                    optimizer,
                    afterEpoch,
                    substitution,
                    checkpointed);
        }
    }

    private void steps(
            TrainingStage stage,
            List<Parameter> parameters,
            DeviceDataset data,
            BatchTransform transform,
            Random rng,
            NDManager manager,
            StepLoss stepLoss,
            Optimizer optimizer,
            IntConsumer afterEpoch,
            Substitution substitution,
            StageCheckpoints.Stage checkpointed) {
        int samples = data.size();
        int batchesPerEpoch = stage.batchesPerEpoch(samples);
        long totalSteps = stage.steps(samples);
        boolean byIteration = stage.iterations() > 0;
        int scheduleLength = byIteration ? stage.iterations() : stage.epochs();
        LrSchedule schedule =
                LrSchedules.create(stage.schedule(), stage.optimizer().lr(), scheduleLength);
        int[] order = new int[samples];
        for (int i = 0; i < samples; i++) {
            order[i] = i;
        }
        long startNanos = System.nanoTime();
        long lastReport = startNanos;
        long callbackNanos = 0;
        long images = 0;
        int cursor = samples;
        long firstStep = 0;
        // each pass's order on the device once: a step slices it instead of copying indices from the host
        NDArray deviceOrder = null;
        StageCheckpoints.Position resumed = checkpointed.resume(samples);
        if (resumed != null) {
            firstStep = resumed.step();
            order = resumed.order();
            cursor = resumed.cursor();
            deviceOrder =
                    manager.create(java.util.Arrays.stream(order).asLongStream().toArray());
            progress.stepsDone(firstStep);
        }
        try {
            for (long step = firstStep; step < totalSteps; step++) {
                if (cancel.isCancelled()) {
                    checkpointed.stopping(new StageCheckpoints.Position(step, order, cursor));
                    throw new PhaseCancelledException(progress.phase());
                }
                if (cursor + 1 >= samples || (!byIteration && step % batchesPerEpoch == 0)) {
                    if (stage.shuffle()) {
                        Permutations.shuffle(order, rng);
                    }
                    cursor = 0;
                    if (deviceOrder != null) {
                        deviceOrder.close();
                    }
                    deviceOrder = manager.create(
                            java.util.Arrays.stream(order).asLongStream().toArray());
                }
                int size = Math.min(stage.batchSize(), samples - cursor);
                long[] batchIndices = new long[size];
                for (int i = 0; i < size; i++) {
                    batchIndices[i] = order[cursor + i];
                }
                int batchStart = cursor;
                cursor += size;
                int epoch = epochOf(step, stage, batchesPerEpoch, samples);
                int scheduleStep = byIteration ? (int) step : epoch;
                float lr = (float) schedule.lr(scheduleStep);
                float lossValue = Float.NaN;
                long now = System.nanoTime();
                boolean report = now - lastReport >= REPORT_INTERVAL_NANOS || step == totalSteps - 1;
                try (NDManager batchManager = manager.newSubManager()) {
                    NDArray indices =
                            deviceOrder.get(batchManager, new NDIndex("{}:{}", batchStart, batchStart + size));
                    NDArray batch = data.gather(indices);
                    if (substitution != null) {
                        batch = substitution.apply(batchIndices, batch, rng);
                    }
                    NDArray inputs = transform.apply(batch, true, rng);
                    NDArray targets = data.gatherLabels(indices);
                    if (!stage.accumulateGradients()) {
                        // before, not after, the backward: gradients another stage left behind must not leak in
                        Gradients.zero(parameters);
                    }
                    Autograd.enable();
                    NDArray loss;
                    try {
                        loss = stepLoss.compute(inputs, targets);
                        Autograd.backward(loss);
                    } finally {
                        Autograd.disable();
                    }
                    optimizer.step(parameters, lr);
                    if (report) {
                        // the only device sync of the loop, so the divergence check rides on it
                        lossValue = loss.getFloat();
                    }
                }
                if (report && !Float.isFinite(lossValue)) {
                    throw new TrainingDivergedException(progress.phase(), stage.name(), step + 1, lossValue);
                }
                images += size;
                progress.stepDone();
                if (report) {
                    lastReport = now;
                    double seconds = (System.nanoTime() - startNanos - callbackNanos) / 1e9;
                    progress.report(
                            stage.name(),
                            epoch,
                            byIteration ? 0 : stage.epochs(),
                            lossValue,
                            seconds > 0 ? images / seconds : 0);
                }
                if (step == totalSteps - 1 || epochOf(step + 1, stage, batchesPerEpoch, samples) != epoch) {
                    long callbackStart = System.nanoTime();
                    afterEpoch.accept(epoch);
                    callbackNanos += System.nanoTime() - callbackStart;
                }
                checkpointed.stepDone(new StageCheckpoints.Position(step + 1, order, cursor));
            }
        } finally {
            if (deviceOrder != null) {
                deviceOrder.close();
            }
        }
        if (!stage.accumulateGradients()) {
            Gradients.zero(parameters);
        }
        progress.completeStage(images, (System.nanoTime() - startNanos - callbackNanos) / 1e9);
    }

    /** The pass over the data a step belongs to; in iteration mode, counted in images seen. */
    private static int epochOf(long step, TrainingStage stage, int batchesPerEpoch, int samples) {
        return stage.iterations() > 0
                ? (int) (step * stage.batchSize() / Math.max(samples, 1))
                : (int) (step / batchesPerEpoch);
    }
}
