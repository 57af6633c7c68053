package org.mnemos.engine;

import java.util.List;
import org.mnemos.engine.parts.Methods;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsOptions;
import org.mnemos.engine.parts.method.dfcil.DreamingHook;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.spec.MethodSpec;

/**
 * What the service needs to know of the engine's parts without reaching into them: the methods a
 * spec may name with what each needs, the option values the parts accept, and the files parts add
 * to a phase state.
 */
public final class PartCatalog {

    /**
     * @param keepsExemplars whether the method rehearses stored images (then {@code memory} is required)
     * @param nearestMean whether it classifies by nearest mean of exemplars
     * @param options the {@code method.*} fields that apply; others are rejected
     */
    public record MethodEntry(String name, String description, boolean keepsExemplars, boolean nearestMean, List<String> options) {}

    /** The modes and adjust values of {@code memory.mnemonics}. */
    public static final List<String> MNEMONICS_MODES = MnemonicsOptions.MODES;
    public static final List<String> MNEMONICS_ADJUST = MnemonicsOptions.ADJUST;
    /** The largest share of a phase's data {@code memory.mnemonics.heldOutFraction} may hold out. */
    public static final double MNEMONICS_MAX_HELD_OUT_FRACTION = MnemonicsOptions.MAX_HELD_OUT_FRACTION;

    /** The data-free methods' sample of dreams in a phase state (the exemplar format). */
    public static final String DREAM_GALLERY_FILE = DreamingHook.GALLERY_FILE;

    private PartCatalog() {}

    /** The built-in methods, read from the engine's own table so that the catalog cannot drift from what runs. */
    public static List<MethodEntry> methods() {
        return Methods.NAMES.stream()
                .map(name -> {
                    CilMethod method = Methods.create(MethodSpec.named(name));
                    return new MethodEntry(name, method.description(), method.keepsExemplars(),
                            method.classifier() == ClassifierRule.NME, Methods.OPTIONS.get(name));
                })
                .toList();
    }

    /** Whether {@code method} dreams its replay and takes no exemplar memory at all. */
    public static boolean isDataFree(String method) {
        return Methods.DATA_FREE.contains(method);
    }

    /** Whether {@code method} keeps exemplars only when the spec gives it a memory (LwF). */
    public static boolean takesOptionalMemory(String method) {
        return Methods.OPTIONAL_MEMORY.contains(method);
    }
}
