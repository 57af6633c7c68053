package org.mnemos.engine.spec;

/**
 * Exemplar memory. For methods that rehearse, one of {@code perClass} (fixed per class, memory
 * grows), {@code total} (shared by all seen classes, old classes shrink) or {@code bytes} (a byte
 * budget shared by all seen classes, counting each exemplar's stored pixels, label and box) is set.
 * {@code selector}: {@code herding}, {@code random} or {@code mnemonics} (herding, then the
 * exemplars are optimised; its options are {@code mnemonics}). {@code storage}: the precision the
 * exemplars are kept at, {@code float32}, {@code float16} or {@code uint8}; it matters only for
 * exemplars a method optimises, and defaults to float32 for mnemonics, uint8 otherwise (the selector parts).
 * {@code compression}: how exemplars are compressed (CIM); with {@code perClass}/{@code total} the
 * budget is then in full-image units, a compressed image costing {@code box + (1 − box)/r}.
 */
public record MemorySpec(
        String selector,
        Integer perClass,
        Integer total,
        String storage,
        MnemonicsSpec mnemonics,
        Long bytes,
        CompressionSpec compression) {

    public MemorySpec(String selector, Integer perClass, Integer total) {
        this(selector, perClass, total, null, null);
    }

    public MemorySpec(String selector, Integer perClass, Integer total, String storage, MnemonicsSpec mnemonics) {
        this(selector, perClass, total, storage, mnemonics, null, null);
    }

    /** This memory with {@code compression} in place of its own. */
    public MemorySpec withCompression(CompressionSpec compression) {
        return new MemorySpec(selector, perClass, total, storage, mnemonics, bytes, compression);
    }

    /** Whether exemplars are compressed (cam or cim). */
    public boolean compresses() {
        return compression != null && !(compression instanceof NoCompressionSpec);
    }
}
