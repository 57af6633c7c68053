package org.mnemos.engine.memory;

import java.util.Random;

/** Uniform sampling without replacement (a seeded partial Fisher-Yates shuffle). */
public final class RandomSelector implements ExemplarSelector {

    @Override
    public int[] select(float[][] features, int count, Random rng) {
        int n = features.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int take = Math.min(count, n);
        for (int i = 0; i < take; i++) {
            int j = i + rng.nextInt(n - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return java.util.Arrays.copyOf(order, take);
    }
}
