package org.mnemos.engine.spec;

/**
 * Where a run may train. {@code pool}: the worker pool ({@code mnemos.worker.pool}) whose workers
 * run its phases; left out, any pool whose memory budget fits the run. The engine ignores it.
 */
public record ResourcesSpec(String pool) {}
