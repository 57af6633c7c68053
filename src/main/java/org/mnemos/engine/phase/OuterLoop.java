package org.mnemos.engine.phase;

import org.mnemos.engine.TrainingDivergedException;

/**
 * The loop of a part's own optimisation beside the mini-batch training (the mnemonics exemplars'
 * training, CIM's meta-steps, model inversion's generator training): the phase's cancellation
 * before every step, its progress, and what a step whose loss or gradient is not finite does.
 */
public final class OuterLoop {

    /** What a step with a NaN or infinite loss or gradient does. */
    public enum NonFinite {
        /** The step is left out (its update not applied) and counted in {@link Result#skipped()}. */
        SKIP,
        /** The phase fails with {@link TrainingDivergedException}. */
        FAIL
    }

    /** One step; returns its loss (for the progress report) and the images it used. */
    @FunctionalInterface
    public interface Step {
        Done run(long step);
    }

    /** What a step did: its loss and the images it used. */
    public record Done(double loss, long images) {}

    /** What a run of the loop did: its steps' images, its seconds and the steps left out. */
    public record Result(long images, double seconds, long skipped) {}

    private static final long REPORT_INTERVAL_NANOS = 250_000_000L;

    private final TrainingLoop loop;
    private final String stage;
    private final NonFinite nonFinite;
    private final boolean reports;
    private long stepsPerEpoch;
    private int epochs;
    private long skipped;

    private OuterLoop(TrainingLoop loop, String stage, NonFinite nonFinite, boolean reports) {
        this.loop = loop;
        this.stage = stage;
        this.nonFinite = nonFinite;
        this.reports = reports;
    }

    /** A loop that reports its steps to the phase's progress under {@code stage}. */
    public static OuterLoop reporting(TrainingLoop loop, String stage, NonFinite nonFinite) {
        return new OuterLoop(loop, stage, nonFinite, true);
    }

    /** A loop whose steps are not counted in the phase's progress (steps nested in a stage that counts its own). */
    public static OuterLoop quiet(TrainingLoop loop, String stage, NonFinite nonFinite) {
        return new OuterLoop(loop, stage, nonFinite, false);
    }

    /** Reports the epoch of each step: {@code stepsPerEpoch} steps in each of {@code epochs}. */
    public OuterLoop epochs(long stepsPerEpoch, int epochs) {
        this.stepsPerEpoch = stepsPerEpoch;
        this.epochs = epochs;
        return this;
    }

    /** Runs {@code steps} steps of {@code step}, checking for cancellation before each. */
    public Result run(long steps, Step step) {
        long skippedBefore = skipped;
        long start = System.nanoTime();
        long lastReport = start;
        long images = 0;
        for (long n = 0; n < steps; n++) {
            loop.checkCancelled();
            Done done = step.run(n);
            images += done.images();
            if (!reports) {
                continue;
            }
            PhaseProgress progress = loop.progress();
            progress.stepDone();
            long now = System.nanoTime();
            if (now - lastReport >= REPORT_INTERVAL_NANOS || n == steps - 1) {
                lastReport = now;
                double seconds = (now - start) / 1e9;
                int epoch = epochs == 0 ? 0 : (int) (n / stepsPerEpoch);
                progress.report(stage, epoch, epochs, done.loss(), seconds > 0 ? images / seconds : 0);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (reports) {
            loop.progress().completeStage(images, seconds);
        }
        return new Result(images, seconds, skipped - skippedBefore);
    }

    /** Every step left out so far, over all runs. */
    public long skipped() {
        return skipped;
    }

    /**
     * Whether step {@code step} may apply its update: true when {@code finite} (its loss and
     * gradient are); else the step is left out ({@link NonFinite#SKIP}) or the phase fails.
     */
    public boolean admits(long step, double loss, boolean finite) {
        if (finite) {
            return true;
        }
        if (nonFinite == NonFinite.FAIL) {
            throw new TrainingDivergedException(loop.progress().phase(), stage, step + 1, (float) loss);
        }
        skipped++;
        return false;
    }
}
