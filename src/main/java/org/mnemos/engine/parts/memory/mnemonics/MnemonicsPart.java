package org.mnemos.engine.parts.memory.mnemonics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.memory.HerdingSelector;
import org.mnemos.engine.parts.Composition;
import org.mnemos.engine.parts.Part;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MnemonicsSpec;

/**
 * Mnemonics training (Liu et al., CVPR 2020) at {@code memory.selector}: herding picks the
 * exemplars, which are then optimised as parameters ({@link MnemonicsRefinement}) and kept at the
 * precision of {@code memory.storage}. Its options are {@code memory.mnemonics}.
 */
public final class MnemonicsPart implements Part<MemorySpec> {

    public static final String NAME = "mnemonics";
    public static final MnemonicsPart PART = new MnemonicsPart();

    /** Unrolled inner steps are held in memory for the backward pass; more than this is a mistake. */
    static final int MAX_INNER_STEPS = 100;

    private MnemonicsPart() {}

    @Override
    public String path() {
        return Parts.SELECTOR;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<MemorySpec> specType() {
        return MemorySpec.class;
    }

    @Override
    public String description() {
        return "Mnemonics (Liu et al. 2020): herding, then the exemplars optimised so that a model trained on them fits the data.";
    }

    /** The storage (float32 unless given) and every option that applies to the mode. */
    @Override
    public MemorySpec resolve(MemorySpec m, ExperimentSpec run) {
        MnemonicsSpec options =
                MnemonicsOptions.resolve(m.mnemonics() == null ? MnemonicsOptions.DEFAULTS : m.mnemonics());
        return new MemorySpec(NAME, m.perClass(), m.total(), storage(m), options, m.bytes(), m.compression());
    }

    @Override
    public void check(MemorySpec memory, ExperimentSpec run, SpecProblems problems) {
        if (memory.storage() != null && !ExemplarStorage.NAMES.contains(memory.storage())) {
            problems.add(
                    "memory.storage",
                    "must be one of " + ExemplarStorage.NAMES.stream().sorted().toList());
        }
        MnemonicsSpec options = memory.mnemonics();
        if (options == null) {
            return;
        }
        if (options.mode() != null && !MnemonicsOptions.MODES.contains(options.mode())) {
            problems.add("memory.mnemonics.mode", "must be one of " + MnemonicsOptions.MODES);
        }
        if (options.adjust() != null && !MnemonicsOptions.ADJUST.contains(options.adjust())) {
            problems.add("memory.mnemonics.adjust", "must be one of " + MnemonicsOptions.ADJUST);
        }
        if ("code".equals(options.mode())) {
            Map<String, Object> notForCode = new LinkedHashMap<>();
            notForCode.put("innerSteps", options.innerSteps());
            notForCode.put("innerLr", options.innerLr());
            notForCode.put("logitScale", options.logitScale());
            notForCode.put("maxChange", options.maxChange());
            notForCode.put("heldOutFraction", options.heldOutFraction());
            notForCode.forEach(
                    (option, value) -> problems.forbid(
                            "memory.mnemonics." + option,
                            value,
                            "does not apply to mode code, the official single-level loop (no inner level, plain cosines, no bound, no held-out data)"));
        }
        problems.range("memory.mnemonics.innerSteps", options.innerSteps(), 0, MAX_INNER_STEPS);
        problems.range(
                "memory.mnemonics.epochs",
                options.epochs(),
                1,
                problems.limits().maxEpochs());
        problems.positive("memory.mnemonics.innerLr", options.innerLr());
        problems.positive("memory.mnemonics.outerLr", options.outerLr());
        problems.positive("memory.mnemonics.logitScale", options.logitScale());
        if (options.maxChange() != null && !(options.maxChange() > 0 && options.maxChange() <= 255)) {
            problems.add("memory.mnemonics.maxChange", "must be > 0 and at most 255 grey levels");
        }
        if (options.heldOutFraction() != null
                && !(options.heldOutFraction() >= 0
                        && options.heldOutFraction() <= MnemonicsOptions.MAX_HELD_OUT_FRACTION)) {
            problems.add(
                    "memory.mnemonics.heldOutFraction",
                    "must be >= 0 (0: no held-out acceptance) and at most " + MnemonicsOptions.MAX_HELD_OUT_FRACTION);
        }
    }

    /** Optimised exemplars are kept at float32 unless the spec asks for less. */
    private static String storage(MemorySpec memory) {
        return memory.storage() != null ? memory.storage() : "float32";
    }

    @Override
    public void compose(MemorySpec spec, ExperimentSpec run, Composition composition) {
        composition
                .memory()
                .selector(
                        new HerdingSelector(),
                        new MnemonicsRefinement(MnemonicsOptions.of(spec), ExemplarStorage.named(storage(spec))));
    }
}
