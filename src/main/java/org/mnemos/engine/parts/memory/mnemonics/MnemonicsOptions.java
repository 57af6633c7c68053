package org.mnemos.engine.parts.memory.mnemonics;

import java.util.List;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MnemonicsSpec;

/**
 * The mnemonics options of a memory spec with the defaults filled in (checked by {@link MnemonicsPart}).
 *
 * @param logitScale inverse temperature of the cosine logits (1 in the code mode)
 * @param maxChange L∞ bound on the displacement from the herding start, in grey levels (infinite in the code mode)
 * @param heldOutFraction share of the phase's real data held out for the acceptance (0 in the code mode: no acceptance)
 */
public record MnemonicsOptions(
        Mode mode,
        int innerSteps,
        float innerLr,
        float outerLr,
        int epochs,
        boolean adjustOldClasses,
        float logitScale,
        float maxChange,
        double heldOutFraction) {

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
            throw new IllegalArgumentException("unknown mnemonics mode '" + name + "'");
        }
    }

    public static final List<String> MODES = List.of("bilevel", "firstOrder", "code");
    public static final List<String> ADJUST = List.of("new", "all");
    /** Options that do not apply to the code mode, which has no inner level, no scale, bound or acceptance. */
    public static final List<String> NOT_FOR_CODE =
            List.of("innerSteps", "innerLr", "logitScale", "maxChange", "heldOutFraction");

    public static final MnemonicsSpec DEFAULTS = new MnemonicsSpec("bilevel", null, null, null, null, null);
    /** The official code's StepLR(step 1, γ 0.5) is stepped before its one epoch (PyTorch ≥ 1.1): the pass runs at half the lr. */
    static final float CODE_LR_FACTOR = 0.5f;

    public static final double MAX_HELD_OUT_FRACTION = 0.5;

    /** The options of a checked memory spec ({@link MnemonicsPart#check}), resolved. */
    public static MnemonicsOptions of(MemorySpec memory) {
        MnemonicsSpec spec = resolve(memory.mnemonics() == null ? DEFAULTS : memory.mnemonics());
        Mode mode = Mode.named(spec.mode());
        boolean code = mode == Mode.CODE;
        return new MnemonicsOptions(
                mode,
                code ? 0 : spec.innerSteps(),
                code ? 0f : spec.innerLr().floatValue(),
                spec.outerLr().floatValue(),
                spec.epochs(),
                "all".equals(spec.adjust()),
                code ? 1f : spec.logitScale().floatValue(),
                code ? Float.POSITIVE_INFINITY : spec.maxChange().floatValue(),
                code ? 0 : spec.heldOutFraction());
    }

    /** Whether the stage holds data out and keeps its result only if the held-out outer loss falls. */
    public boolean acceptsOnHeldOut() {
        return heldOutFraction > 0;
    }

    /**
     * Every field that applies set: the given value or the default. Defaults: bilevel, 5 inner steps
     * at lr 0.1, logits scaled by 16, outer Adam lr 0.01, displacement at most 8 grey levels, a fifth
     * of the data held out, 1 epoch, new classes; the code mode has none of the inner, scale, bound or
     * held-out options and takes the published SGD lr 1e-5.
     */
    public static MnemonicsSpec resolve(MnemonicsSpec given) {
        String mode = given.mode() != null ? given.mode() : "bilevel";
        boolean code = "code".equals(mode);
        return new MnemonicsSpec(
                mode,
                given.innerSteps() != null || code ? given.innerSteps() : Integer.valueOf(5),
                given.innerLr() != null || code ? given.innerLr() : Double.valueOf(0.1),
                given.outerLr() != null ? given.outerLr() : Double.valueOf(code ? 1e-5 : 0.01),
                given.epochs() != null ? given.epochs() : Integer.valueOf(1),
                given.adjust() != null ? given.adjust() : "new",
                given.logitScale() != null || code ? given.logitScale() : Double.valueOf(16),
                // 2, not 8: at 8 levels the optimised perturbations collapsed iCaRL on 3 of 5 seeds (bench/RESULTS.md)
                given.maxChange() != null || code ? given.maxChange() : Double.valueOf(2),
                given.heldOutFraction() != null || code ? given.heldOutFraction() : Double.valueOf(0.2));
    }
}
