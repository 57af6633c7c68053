package org.mnemos.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems found in a spec, each with the JSON path of the value and what is allowed: what a
 * part's {@code check} reports into. The service shows them all at once; the engine throws the
 * first ({@link #throwFirst}). The same checks run in both, with the service's limits or none.
 */
public final class SpecProblems {

    /** One problem: the JSON path of the value and what is wrong with it. */
    public record Problem(String field, String message) {}

    /**
     * The operator's bounds a check may use.
     *
     * @param maxClasses the most classes a run may learn
     * @param maxEpochs the most epochs any stage may train
     * @param maxIterations the most iterations a phase may train
     * @param maxBatchSize the largest batch any stage may draw
     */
    public record Limits(int maxClasses, int maxEpochs, int maxIterations, int maxBatchSize) {
        /** The engine run on its own bounds nothing beyond the values' own ranges. */
        public static final Limits NONE =
                new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    private final Limits limits;
    private final List<Problem> problems = new ArrayList<>();

    public SpecProblems(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    public void add(String field, String message) {
        problems.add(new Problem(field, message));
    }

    public List<Problem> list() {
        return List.copyOf(problems);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** @throws SpecException naming the first problem, if there is one */
    public void throwFirst() {
        if (!problems.isEmpty()) {
            throw new SpecException(problems.get(0).field(), problems.get(0).message());
        }
    }

    /** An integer in [min, max] when given; returns whether it was given and in range. */
    public boolean range(String field, Integer value, int min, int max) {
        if (value == null) {
            return false;
        }
        if (value < min || value > max) {
            add(field, "must be between " + min + " and " + max);
            return false;
        }
        return true;
    }

    public void positive(String field, Double value) {
        if (value != null && !(value > 0 && Double.isFinite(value))) {
            add(field, "must be a finite number > 0");
        }
    }

    public void nonNegative(String field, Double value) {
        if (value != null && !(value >= 0 && Double.isFinite(value))) {
            add(field, "must be a finite number >= 0");
        }
    }

    public void forbid(String field, Object value, String why) {
        if (value != null) {
            add(field, why);
        }
    }
}
