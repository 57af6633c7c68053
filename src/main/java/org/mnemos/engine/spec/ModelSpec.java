package org.mnemos.engine.spec;

import java.util.List;

/**
 * Backbone ({@code mlp}, {@code resnet32}, {@code resnet18}) and head ({@code linear} or
 * {@code cosine}). {@code hiddenUnits} applies to the MLP.
 */
public record ModelSpec(String backbone, List<Integer> hiddenUnits, String head) {}
