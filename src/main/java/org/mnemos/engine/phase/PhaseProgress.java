package org.mnemos.engine.phase;

import org.mnemos.engine.TrainingListener;
import org.mnemos.engine.TrainingProgress;

/**
 * Turns the stages of one phase into a single monotone progress stream for the listener: steps are
 * counted across stages against the phase's planned total.
 */
public final class PhaseProgress {

    private final int phase;
    private final TrainingListener listener;
    private long plannedSteps;
    private long completedSteps;
    private long trainedImages;
    private double trainingSeconds;

    public PhaseProgress(int phase, TrainingListener listener) {
        this.phase = phase;
        this.listener = listener;
    }

    public int phase() {
        return phase;
    }

    /** Adds a stage's steps to the plan before it runs, so fractions stay below 1 until the end. */
    public void plan(long steps) {
        plannedSteps += steps;
    }

    /** Counts one optimizer step of whichever stage runs; stages may nest (AANets' per-epoch stage). */
    public void stepDone() {
        completedSteps++;
    }

    /** Counts {@code steps} steps a resumed stage took before its checkpoint. */
    public void stepsDone(long steps) {
        completedSteps += steps;
    }

    public void report(String stage, int epoch, int epochs, double loss, double imagesPerSecond) {
        listener.onProgress(new TrainingProgress(
                phase, stage, epoch, epochs, completedSteps, Math.max(plannedSteps, 1), loss, imagesPerSecond));
    }

    /** Adds a finished stage's images and seconds (without time spent in stages nested in it). */
    public void completeStage(long images, double seconds) {
        trainedImages += images;
        trainingSeconds += seconds;
    }

    /** Training throughput over all stages so far. */
    public double imagesPerSecond() {
        return trainingSeconds > 0 ? trainedImages / trainingSeconds : 0;
    }
}
