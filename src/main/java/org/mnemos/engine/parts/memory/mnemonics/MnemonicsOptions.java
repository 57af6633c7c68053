package org.mnemos.engine.parts.memory.mnemonics;

import java.util.List;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MnemonicsSpec;

/** The mnemonics options of a memory spec with the defaults filled in and the values checked. */
public record MnemonicsOptions(Mode mode, int innerSteps, float innerLr, float outerLr, int epochs, boolean adjustOldClasses) {

    /** The three variants: the paper's objective, its first-order approximation, the published code's loop. */
    public enum Mode {
        BILEVEL("bilevel"),
        FIRST_ORDER("firstOrder"),
        CODE("code");

        private final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Mode named(String name) {
            for (Mode mode : values()) {
                if (mode.wireName.equals(name)) {
                    return mode;
                }
            }
            throw new SpecException("memory.mnemonics.mode", "unknown mode '" + name + "'; allowed: " + MODES);
        }
    }

    public static final List<String> MODES = List.of("bilevel", "firstOrder", "code");
    public static final List<String> ADJUST = List.of("new", "all");
    /** Options that do not apply to the code mode, which has no inner level. */
    public static final List<String> INNER_OPTIONS = List.of("innerSteps", "innerLr");
    public static final MnemonicsSpec DEFAULTS = new MnemonicsSpec("bilevel", null, null, null, null, null);

    public static MnemonicsOptions of(MemorySpec memory) {
        MnemonicsSpec spec = resolve(memory.mnemonics() == null ? DEFAULTS : memory.mnemonics());
        Mode mode = Mode.named(spec.mode());
        if (!ADJUST.contains(spec.adjust())) {
            throw new SpecException("memory.mnemonics.adjust", "unknown value '" + spec.adjust() + "'; allowed: " + ADJUST);
        }
        if (spec.epochs() < 1) {
            throw new SpecException("memory.mnemonics.epochs", "must be >= 1, got " + spec.epochs());
        }
        positive(spec.outerLr(), "memory.mnemonics.outerLr");
        if (mode != Mode.CODE) {
            if (spec.innerSteps() < 0) {
                throw new SpecException("memory.mnemonics.innerSteps", "must be >= 0, got " + spec.innerSteps());
            }
            positive(spec.innerLr(), "memory.mnemonics.innerLr");
        }
        return new MnemonicsOptions(
                mode,
                mode == Mode.CODE ? 0 : spec.innerSteps(),
                mode == Mode.CODE ? 0f : spec.innerLr().floatValue(),
                spec.outerLr().floatValue(),
                spec.epochs(),
                "all".equals(spec.adjust()));
    }

    /**
     * Every field that applies set: the given value or the default. Defaults: bilevel, 5 inner steps
     * at lr 1.0, outer Adam lr 0.01, 1 epoch, new classes; the code mode has no inner options and
     * takes the published SGD lr 1e-5.
     */
    public static MnemonicsSpec resolve(MnemonicsSpec given) {
        String mode = given.mode() != null ? given.mode() : "bilevel";
        boolean code = "code".equals(mode);
        return new MnemonicsSpec(
                mode,
                given.innerSteps() != null || code ? given.innerSteps() : Integer.valueOf(5),
                given.innerLr() != null || code ? given.innerLr() : Double.valueOf(1.0),
                given.outerLr() != null ? given.outerLr() : Double.valueOf(code ? 1e-5 : 0.01),
                given.epochs() != null ? given.epochs() : Integer.valueOf(1),
                given.adjust() != null ? given.adjust() : "new");
    }

    private static void positive(Double value, String field) {
        if (!(value > 0 && Double.isFinite(value))) {
            throw new SpecException(field, "must be a finite number > 0, got " + value);
        }
    }
}
