package org.mnemos.engine;

/**
 * The loss became NaN or infinite. Training is seeded, so a retry would diverge again: the phase
 * fails for good and the message tells the user where and what to change.
 */
public final class TrainingDivergedException extends RuntimeException {

    public TrainingDivergedException(int phase, String stage, long step, float loss) {
        super("training diverged in phase " + phase + ": the loss of stage '" + stage + "' was " + loss + " at step "
                + step + "; lower the learning rate");
    }
}
