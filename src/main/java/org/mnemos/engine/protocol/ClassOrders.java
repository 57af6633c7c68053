package org.mnemos.engine.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.mnemos.engine.SpecException;

/** The order in which a data set's classes are presented. */
public final class ClassOrders {

    /**
     * The CIFAR-100 order of {@code np.random.seed(1993); np.random.permutation(100)} used by LUCIR,
     * Mnemonics, AANets and PyCIL; published results depend on it, so it is a constant here rather
     * than a re-implementation of NumPy's generator.
     */
    public static final List<Integer> SEED_1993 = List.of(
            68, 56, 78, 8, 23, 84, 90, 65, 74, 76, 40, 89, 3, 92, 55, 9, 26, 80, 43, 38, 58, 70, 77, 1, 85, 19, 17, 50,
            28, 53, 13, 81, 45, 82, 6, 59, 83, 16, 15, 44, 91, 41, 72, 60, 79, 52, 20, 10, 31, 54, 37, 95, 14, 71, 96,
            98, 97, 2, 64, 66, 42, 22, 35, 86, 24, 34, 87, 21, 99, 0, 88, 27, 18, 94, 11, 12, 47, 25, 30, 46, 62, 69,
            36, 61, 7, 63, 75, 5, 32, 4, 51, 48, 73, 93, 39, 67, 29, 49, 57, 33);

    public static final List<String> NAMES = List.of("natural", "seeded", "seed1993", "explicit");

    private ClassOrders() {}

    /**
     * @param kind natural, seeded, seed1993 or explicit (null means natural)
     * @param numClasses classes of the data set
     */
    public static List<Integer> resolve(String kind, Long seed, List<Integer> explicit, int numClasses) {
        String name = kind == null ? (explicit != null ? "explicit" : "natural") : kind;
        return switch (name) {
            case "natural" -> IntStream.range(0, numClasses).boxed().toList();
            case "seeded" -> seeded(seed == null ? 1993L : seed, numClasses);
            case "seed1993" -> {
                if (numClasses != SEED_1993.size()) {
                    throw new SpecException(
                            "protocol.classOrder",
                            "seed1993 is the CIFAR-100 order and needs a 100-class data set, this one has "
                                    + numClasses);
                }
                yield SEED_1993;
            }
            case "explicit" -> validated(explicit, numClasses);
            default ->
                throw new SpecException("protocol.classOrder", "unknown order '" + name + "'; allowed: " + NAMES);
        };
    }

    /** A deterministic shuffle: the same seed gives the same order on every machine. */
    public static List<Integer> seeded(long seed, int numClasses) {
        List<Integer> order =
                new ArrayList<>(IntStream.range(0, numClasses).boxed().toList());
        Collections.shuffle(order, new Random(seed));
        return List.copyOf(order);
    }

    private static List<Integer> validated(List<Integer> explicit, int numClasses) {
        if (explicit == null || explicit.isEmpty()) {
            throw new SpecException("protocol.classList", "an explicit class order needs a non-empty classList");
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < explicit.size(); i++) {
            Integer label = explicit.get(i);
            if (label == null || label < 0 || label >= numClasses) {
                throw new SpecException(
                        "protocol.classList[" + i + "]", "must be a label in [0, " + (numClasses - 1) + "]");
            }
            if (!seen.add(label)) {
                throw new SpecException("protocol.classList[" + i + "]", "label " + label + " appears twice");
            }
        }
        return List.copyOf(explicit);
    }
}
