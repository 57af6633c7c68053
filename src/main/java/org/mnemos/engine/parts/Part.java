package org.mnemos.engine.parts;

import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.spec.ExperimentSpec;

/**
 * A part of a run, chosen by name at a spec path: a method at {@code method}, an exemplar selector
 * at {@code memory.selector}, a compression at {@code memory.compression}, an aggregation at
 * {@code model.aggregation}, scaled kernels at {@code model.scaledKernels}. A part owns its
 * options ({@code S}, the spec value at its path): their defaults, their checks, what it adds to a
 * phase and what it adds to the memory estimate. {@link Parts} is the table of every part.
 *
 * @param <S> the spec type of the part's options
 */
public interface Part<S> {

    /** The spec path the part is chosen at, e.g. {@code memory.compression}. */
    String path();

    /** The name that chooses the part at its path, e.g. {@code cim}. */
    String name();

    Class<S> specType();

    /** One sentence on what the part does, for the method listing. */
    String description();

    /**
     * The part's options with every default filled in, so the resolved spec names every value that
     * runs. {@code run} is the spec resolved so far (its training is resolved).
     */
    default S resolve(S given, ExperimentSpec run) {
        return given;
    }

    /**
     * Reports every problem of the part's options, and of their combination with the run's other
     * parts, each with its exact JSON path. Runs on the spec as submitted, before {@link #resolve}.
     */
    default void check(S given, ExperimentSpec run, SpecProblems problems) {}

    /** Adds what the part brings to a phase (the method, hooks, the memory's selector or compression). */
    void compose(S spec, ExperimentSpec run, Composition composition);

    /** Adds the part's own memory to the peak estimate of a phase ({@code spec} resolved). */
    default void footprint(S spec, ExperimentSpec run, PeakMemory.Footprint footprint) {}
}
