package org.mnemos.engine.memory;

import java.util.Random;

/**
 * Chooses which training images of one class to keep. Returns positions into {@code features} in
 * priority order, so that shrinking a class's share of a total budget keeps a prefix. Which one a
 * run uses is its {@code memory.selector} part's choice.
 */
public interface ExemplarSelector {

    /**
     * @param features one L2-normalised feature vector per candidate image
     * @param count how many to keep (at most features.length)
     */
    int[] select(float[][] features, int count, Random rng);
}
