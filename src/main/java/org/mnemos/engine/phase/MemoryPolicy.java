package org.mnemos.engine.phase;

import java.util.List;
import java.util.Random;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.ExemplarSet;

/** The exemplar memory of a run that keeps one: what a phase keeps after training, and the hooks it adds. */
public interface MemoryPolicy {

    /**
     * The memory after this phase (the session holds the previous one).
     *
     * @param oldOrder original labels of the old classes, in class order
     * @param newClasses original labels learned in this phase
     */
    ExemplarSet update(
            PhaseSession session, ImageDataset train, List<Integer> oldOrder, List<Integer> newClasses, Random rng);

    /** The hooks the memory adds to the phase (its report among them). */
    List<PhaseHook> hooks();
}
