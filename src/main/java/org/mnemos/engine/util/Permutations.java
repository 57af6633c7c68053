package org.mnemos.engine.util;

import java.util.Random;

/** Seeded in-place shuffles, so every random order the engine uses is reproducible from the run's seed. */
public final class Permutations {

    private Permutations() {}

    /** Fisher–Yates over the whole array. */
    public static void shuffle(int[] values, Random rng) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
