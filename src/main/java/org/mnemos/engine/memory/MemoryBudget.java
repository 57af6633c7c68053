package org.mnemos.engine.memory;

import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.MemorySpec;

/**
 * How much each class may keep: {@code perClass} images (fixed, the memory grows with the classes),
 * {@code total} images shared by the seen classes (old classes shrink as new ones arrive, as in
 * iCaRL's K=2000), or {@code bytes} shared the same way. Counts are in full-image units: a
 * compressed exemplar costs {@code box + (1 − box)/r} of one (CIM); bytes count each exemplar's
 * stored arrays, box and label ({@link ExemplarSet#storedBytes(int)}).
 */
public record MemoryBudget(Integer perClass, Integer total, Long bytes) {

    public MemoryBudget(Integer perClass, Integer total) {
        this(perClass, total, null);
    }

    public static MemoryBudget of(MemorySpec spec) {
        if (spec == null || (spec.perClass() == null && spec.total() == null && spec.bytes() == null)) {
            return new MemoryBudget(0, null, null);
        }
        int given = (spec.perClass() != null ? 1 : 0) + (spec.total() != null ? 1 : 0) + (spec.bytes() != null ? 1 : 0);
        if (given > 1) {
            throw new SpecException("memory", "give one of perClass, total and bytes");
        }
        return new MemoryBudget(spec.perClass(), spec.total(), spec.bytes());
    }

    /** Whether the budget counts bytes rather than images. */
    public boolean inBytes() {
        return bytes != null;
    }

    /** Full images per class (the authors' {@code memory_size // total_classes}); with bytes, uint8 images of {@code imageBytes}. */
    public int perClassFor(int seenClasses, int imageBytes) {
        if (perClass != null) {
            return perClass;
        }
        if (seenClasses == 0) {
            return 0;
        }
        return total != null
                ? total / seenClasses
                : (int) (bytes / seenClasses / (imageBytes + CompressedImage.LABEL_BYTES));
    }

    /** What one class may spend: full-image units, or bytes with a byte budget. */
    public double classShare(int seenClasses) {
        if (bytes != null) {
            return seenClasses == 0 ? 0 : (double) (bytes / seenClasses);
        }
        return perClassFor(seenClasses, 1);
    }

    /** What exemplar {@code i} of {@code memory} spends of its class's share. */
    public double cost(ExemplarSet memory, int i) {
        return bytes != null ? memory.storedBytes(i) : memory.unitCost(i);
    }
}
