package org.mnemos.engine.spec;

/**
 * Where and when a run trains; the engine ignores it. {@code pool}: the worker pool
 * ({@code mnemos.worker.pool}) whose workers run its phases; left out, any pool whose memory budget
 * fits the run. {@code priority}: its place in the queue, higher first (default 0); among runs of
 * one priority, the one submitted first.
 */
public record ResourcesSpec(String pool, Integer priority) {

    public static final int DEFAULT_PRIORITY = 0;
    public static final int MIN_PRIORITY = -100;
    public static final int MAX_PRIORITY = 100;

    public int priorityOrDefault() {
        return priority == null ? DEFAULT_PRIORITY : priority;
    }
}
