package org.mnemos.engine.memory;

import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.MemorySpec;

/**
 * How many exemplars each class may keep: {@code perClass} (fixed, the memory grows with the classes)
 * or {@code total} (shared, old classes shrink as new ones arrive, as in iCaRL's K=2000).
 */
public record MemoryBudget(Integer perClass, Integer total) {

    public static MemoryBudget of(MemorySpec spec) {
        if (spec == null || (spec.perClass() == null && spec.total() == null)) {
            return new MemoryBudget(0, null);
        }
        if (spec.perClass() != null && spec.total() != null) {
            throw new SpecException("memory", "give either perClass or total, not both");
        }
        return new MemoryBudget(spec.perClass(), spec.total());
    }

    public int perClassFor(int seenClasses) {
        if (perClass != null) {
            return perClass;
        }
        return seenClasses == 0 ? 0 : total / seenClasses;
    }
}
