package org.mnemos.engine.spec;

import java.util.List;

/**
 * Backbone ({@code mlp}, {@code resnet32}, {@code resnet18}, {@code resnet8}) and head ({@code linear} or
 * {@code cosine}). {@code hiddenUnits} applies to the MLP. {@code aggregation}, when set, changes
 * the backbone from phase 1 on (AANets' stable and plastic branches).
 */
public record ModelSpec(String backbone, List<Integer> hiddenUnits, String head, AggregationSpec aggregation) {

    /** A single-network model. */
    public ModelSpec(String backbone, List<Integer> hiddenUnits, String head) {
        this(backbone, hiddenUnits, head, null);
    }
}
