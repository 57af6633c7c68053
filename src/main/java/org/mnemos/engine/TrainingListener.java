package org.mnemos.engine;

/** Receives progress from a training phase; called from the training thread, must be cheap. */
@FunctionalInterface
public interface TrainingListener {

    void onProgress(TrainingProgress progress);

    TrainingListener NONE = progress -> {};
}
