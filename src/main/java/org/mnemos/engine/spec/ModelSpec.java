package org.mnemos.engine.spec;

import java.util.List;

/**
 * Backbone ({@code mlp}, {@code resnet32}, {@code resnet18}, {@code resnet8}) and head ({@code linear},
 * {@code cosine} or {@code lsc}). {@code hiddenUnits} applies to the MLP; {@code shortcut} to
 * the CIFAR ResNets' (resnet32, resnet8) downsampling blocks ({@code zeroPad}, PyCIL's option A, or {@code projection},
 * LUCIR's option B; by default projection under a cosine or LSC head, as in LUCIR's and PyCIL's
 * cosine networks). {@code aggregation}, when set, changes the backbone from phase 1 on (AANets'
 * stable and plastic branches). {@code init}, when set, names an uploaded checkpoint phase 0 starts from.
 * {@code scaledKernels}, when true, freezes a convolutional backbone's kernels from phase 1 on at
 * their phase-0 values and trains a scale per (output, input) channel pair of each in their place,
 * beside BatchNorm and the head (the official mnemonics code's {@code network_mtl}, AANets' stable
 * branch as a single network).
 */
public record ModelSpec(
        String backbone,
        List<Integer> hiddenUnits,
        String head,
        AggregationSpec aggregation,
        String shortcut,
        InitSpec init,
        Boolean scaledKernels) {

    public static final List<String> SHORTCUTS = List.of("zeroPad", "projection");

    /** A single-network model with the backbone's default shortcut. */
    public ModelSpec(String backbone, List<Integer> hiddenUnits, String head) {
        this(backbone, hiddenUnits, head, null, null);
    }

    /** A model with the backbone's default shortcut. */
    public ModelSpec(String backbone, List<Integer> hiddenUnits, String head, AggregationSpec aggregation) {
        this(backbone, hiddenUnits, head, aggregation, null);
    }

    /** A model whose kernels train freely in every phase. */
    public ModelSpec(
            String backbone,
            List<Integer> hiddenUnits,
            String head,
            AggregationSpec aggregation,
            String shortcut,
            InitSpec init) {
        this(backbone, hiddenUnits, head, aggregation, shortcut, init, null);
    }

    /** Whether the kernels are frozen and rescaled from phase 1 on. */
    public boolean scalesKernels() {
        return Boolean.TRUE.equals(scaledKernels);
    }

    /** A model that starts from random weights. */
    public ModelSpec(
            String backbone, List<Integer> hiddenUnits, String head, AggregationSpec aggregation, String shortcut) {
        this(backbone, hiddenUnits, head, aggregation, shortcut, null);
    }
}
