package org.mnemos.engine.memory;

import java.util.List;
import java.util.Random;
import org.mnemos.engine.SpecException;

/**
 * Chooses which training images of one class to keep. Returns positions into {@code features} in
 * priority order, so that shrinking a class's share of a total budget keeps a prefix.
 */
public interface ExemplarSelector {

    /** Herding picks the exemplars, which mnemonics training then optimises (see MemoryUpdate). */
    String MNEMONICS = "mnemonics";

    List<String> NAMES = List.of("herding", "random", MNEMONICS);

    /**
     * @param features one L2-normalised feature vector per candidate image
     * @param count how many to keep (at most features.length)
     */
    int[] select(float[][] features, int count, Random rng);

    static ExemplarSelector named(String name) {
        return switch (name == null ? "herding" : name) {
            case "herding", MNEMONICS -> new HerdingSelector();
            case "random" -> new RandomSelector();
            default -> throw new SpecException("memory.selector", "unknown selector '" + name + "'; allowed: " + NAMES);
        };
    }
}
