package org.mnemos.engine.memory;

import java.util.List;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MnemonicsSpec;

/** The mnemonics options of a memory spec with the defaults filled in and the values checked. */
public record MnemonicsOptions(boolean firstOrder, int innerSteps, float innerLr, float outerLr, int epochs, boolean adjustOldClasses) {

    public static final List<String> MODES = List.of("bilevel", "firstOrder");
    public static final List<String> ADJUST = List.of("new", "all");
    public static final MnemonicsSpec DEFAULTS = new MnemonicsSpec("bilevel", 5, 1.0, 0.01, 1, "new");

    public static MnemonicsOptions of(MemorySpec memory) {
        MnemonicsSpec given = memory.mnemonics() == null ? DEFAULTS : memory.mnemonics();
        MnemonicsSpec spec = resolve(given);
        if (!MODES.contains(spec.mode())) {
            throw new SpecException("memory.mnemonics.mode", "unknown mode '" + spec.mode() + "'; allowed: " + MODES);
        }
        if (!ADJUST.contains(spec.adjust())) {
            throw new SpecException("memory.mnemonics.adjust", "unknown value '" + spec.adjust() + "'; allowed: " + ADJUST);
        }
        if (spec.innerSteps() < 0) {
            throw new SpecException("memory.mnemonics.innerSteps", "must be >= 0, got " + spec.innerSteps());
        }
        if (spec.epochs() < 1) {
            throw new SpecException("memory.mnemonics.epochs", "must be >= 1, got " + spec.epochs());
        }
        positive(spec.innerLr(), "memory.mnemonics.innerLr");
        positive(spec.outerLr(), "memory.mnemonics.outerLr");
        return new MnemonicsOptions(
                "firstOrder".equals(spec.mode()),
                spec.innerSteps(),
                spec.innerLr().floatValue(),
                spec.outerLr().floatValue(),
                spec.epochs(),
                "all".equals(spec.adjust()));
    }

    /** Every field set: the given value or the default. */
    public static MnemonicsSpec resolve(MnemonicsSpec given) {
        MnemonicsSpec d = DEFAULTS;
        return new MnemonicsSpec(
                given.mode() != null ? given.mode() : d.mode(),
                given.innerSteps() != null ? given.innerSteps() : d.innerSteps(),
                given.innerLr() != null ? given.innerLr() : d.innerLr(),
                given.outerLr() != null ? given.outerLr() : d.outerLr(),
                given.epochs() != null ? given.epochs() : d.epochs(),
                given.adjust() != null ? given.adjust() : d.adjust());
    }

    private static void positive(Double value, String field) {
        if (!(value > 0 && Double.isFinite(value))) {
            throw new SpecException(field, "must be a finite number > 0, got " + value);
        }
    }
}
