package org.mnemos.engine.spec;

/**
 * Exemplar memory. Exactly one of {@code perClass} (fixed per class, memory grows) or {@code total}
 * (shared by all seen classes, old classes shrink) is set for methods that rehearse.
 * {@code selector}: {@code herding}, {@code random} or {@code mnemonics} (herding, then the
 * exemplars are optimised; its options are {@code mnemonics}). {@code storage}: the precision the
 * exemplars are kept at, {@code float32}, {@code float16} or {@code uint8}; it matters only for
 * exemplars a method optimises, and defaults to float32 for mnemonics, uint8 otherwise.
 */
public record MemorySpec(String selector, Integer perClass, Integer total, String storage, MnemonicsSpec mnemonics) {

    public MemorySpec(String selector, Integer perClass, Integer total) {
        this(selector, perClass, total, null, null);
    }

    /** The storage the engine uses when the spec leaves it out. */
    public String storageOrDefault() {
        if (storage != null) {
            return storage;
        }
        return "mnemonics".equals(selector) ? "float32" : "uint8";
    }
}
