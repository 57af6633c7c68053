package org.mnemos.engine;

/**
 * A snapshot of a phase's training. {@code step}/{@code totalSteps} count optimizer steps over all
 * stages of the phase (main training plus any calibration), so {@code fraction} is monotone.
 */
public record TrainingProgress(
        int phase,
        String stage,
        int epoch,
        int epochs,
        long step,
        long totalSteps,
        double loss,
        double imagesPerSecond) {

    public double fraction() {
        return totalSteps == 0 ? 0 : Math.min(1.0, (double) step / totalSteps);
    }
}
