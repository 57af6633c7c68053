package org.mnemos.engine.spec;

/**
 * Exemplar memory. Exactly one of {@code perClass} (fixed per class, memory grows) or {@code total}
 * (shared by all seen classes, old classes shrink) is set for methods that rehearse.
 * {@code selector}: {@code herding} or {@code random}.
 */
public record MemorySpec(String selector, Integer perClass, Integer total) {}
