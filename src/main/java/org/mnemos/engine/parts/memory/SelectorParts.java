package org.mnemos.engine.parts.memory;

import java.util.List;
import java.util.function.Supplier;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.memory.ExemplarSelector;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.memory.HerdingSelector;
import org.mnemos.engine.memory.RandomSelector;
import org.mnemos.engine.parts.Composition;
import org.mnemos.engine.parts.Part;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;

/**
 * The selectors that keep the chosen images as they are stored ({@code memory.selector} herding,
 * the default, or random). Their exemplars are stored uint8 images.
 */
public final class SelectorParts {

    /** The selector a memory without one uses. */
    public static final String DEFAULT = "herding";

    public static final Part<MemorySpec> HERDING = new StoredImagesSelector(
            DEFAULT,
            "Herding (Welling 2009, as iCaRL): exemplars whose feature mean stays closest to the class mean.",
            HerdingSelector::new);
    public static final Part<MemorySpec> RANDOM =
            new StoredImagesSelector("random", "A uniform random sample of each class.", RandomSelector::new);
    public static final List<Part<MemorySpec>> PARTS = List.of(HERDING, RANDOM);

    private SelectorParts() {}

    private record StoredImagesSelector(String name, String description, Supplier<ExemplarSelector> selector)
            implements Part<MemorySpec> {

        @Override
        public String path() {
            return Parts.SELECTOR;
        }

        @Override
        public Class<MemorySpec> specType() {
            return MemorySpec.class;
        }

        /** A storage precision other than uint8 and optimisation options belong to optimised exemplars. */
        @Override
        public void check(MemorySpec memory, ExperimentSpec run, SpecProblems problems) {
            if (memory.storage() != null) {
                if (!ExemplarStorage.NAMES.contains(memory.storage())) {
                    problems.add(
                            "memory.storage",
                            "must be one of "
                                    + ExemplarStorage.NAMES.stream().sorted().toList());
                } else if (!memory.storage().equals("uint8")) {
                    problems.add(
                            "memory.storage",
                            "applies to optimised exemplars (selector mnemonics); stored images are uint8");
                }
            }
            problems.forbid("memory.mnemonics", memory.mnemonics(), "applies to selector mnemonics only");
        }

        @Override
        public void compose(MemorySpec spec, ExperimentSpec run, Composition composition) {
            composition.memory().selector(selector.get(), null);
        }
    }
}
