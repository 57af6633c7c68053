package org.mnemos.engine.phase;

/** What a phase trains on. */
public enum TrainingData {
    /** The new classes' images only (Finetune, LwF). */
    NEW_CLASSES,
    /** The new classes' images plus the exemplar memory (rehearsal methods). */
    NEW_CLASSES_AND_EXEMPLARS,
    /** Every image of every class seen so far: the Joint upper bound. */
    ALL_SEEN_CLASSES
}
