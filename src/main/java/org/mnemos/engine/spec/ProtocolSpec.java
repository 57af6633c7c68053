package org.mnemos.engine.spec;

import java.util.List;

/**
 * How classes arrive. Either {@code initialClasses} + {@code increment} (over {@code numClasses},
 * default all classes of the data set) or explicit {@code phases} (lists of original labels).
 * {@code classOrder}: {@code natural}, {@code seeded} (shuffled with {@code classOrderSeed}),
 * {@code seed1993} (the published CIFAR-100 order) or {@code explicit} with {@code classList}.
 */
public record ProtocolSpec(
        Integer initialClasses,
        Integer increment,
        Integer numClasses,
        List<List<Integer>> phases,
        String classOrder,
        Long classOrderSeed,
        List<Integer> classList) {}
