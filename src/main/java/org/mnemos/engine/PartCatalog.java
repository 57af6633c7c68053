package org.mnemos.engine;

import java.util.List;
import java.util.Optional;
import org.mnemos.engine.parts.MethodPart;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.parts.method.dfcil.DreamingHook;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.spec.ExperimentSpec;

/**
 * What the service needs to know of the engine's parts without reaching into them: the methods a
 * spec may name (registered ones included) with what each needs, the parts' checks, and the files
 * parts add to a phase state.
 */
public final class PartCatalog {

    /**
     * @param keepsExemplars whether the method rehearses stored images (then {@code memory} is required)
     * @param nearestMean whether it classifies by nearest mean of exemplars
     * @param options the {@code method.*} fields that apply; others are rejected
     * @param optionalMemory whether it keeps exemplars only when the spec gives it a memory (LwF)
     */
    public record MethodEntry(
            String name,
            String description,
            boolean keepsExemplars,
            boolean nearestMean,
            List<String> options,
            boolean optionalMemory) {}

    /** The data-free methods' sample of dreams in a phase state (the exemplar format). */
    public static final String DREAM_GALLERY_FILE = DreamingHook.GALLERY_FILE;

    private PartCatalog() {}

    /** Every method, read from the engine's table of parts so that the catalog cannot drift from what runs. */
    public static List<MethodEntry> methods() {
        return Parts.methods().stream().map(PartCatalog::entry).toList();
    }

    /** The method named {@code name}, if the table has one. */
    public static Optional<MethodEntry> method(String name) {
        return methods().stream().filter(method -> method.name().equals(name)).findFirst();
    }

    /**
     * Adds every problem of the parts {@code spec} names, with its JSON path, under the bounds of
     * {@code problems}: the same check the engine runs before it plans a run.
     */
    public static void check(ExperimentSpec spec, SpecProblems problems) {
        Parts.check(spec, problems);
    }

    private static MethodEntry entry(MethodPart<?> part) {
        CilMethod method = part.createDefault();
        return new MethodEntry(
                part.name(),
                method.description(),
                method.keepsExemplars(),
                method.classifier() == ClassifierRule.NME,
                part.options(),
                part.takesOptionalMemory());
    }
}
