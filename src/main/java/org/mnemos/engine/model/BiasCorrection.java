package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * BiC's bias correction layer: one (alpha, beta) pair per phase, applied as {@code alpha·z + beta}
 * to the logits z of that phase's classes only. Alpha starts at 1 and beta at 0, so a fresh pair is
 * the identity. Input and output: {@code NDList(logits (B, numClasses))}.
 */
public final class BiasCorrection extends AbstractBlock {

    private static final byte VERSION = 1;

    private final List<Integer> segmentSizes = new ArrayList<>();
    private final List<Parameter> alphas = new ArrayList<>();
    private final List<Parameter> betas = new ArrayList<>();

    public BiasCorrection() {
        super(VERSION);
    }

    /** Appends the identity pair for a new segment; arrays are created in {@code manager} when non-null. */
    public void addSegment(int size, NDManager manager) {
        int index = segmentSizes.size();
        Parameter alpha = Parameter.builder()
                .setName("bic_alpha" + index)
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1))
                .optInitializer(Initializer.ONES)
                .build();
        Parameter beta = Parameter.builder()
                .setName("bic_beta" + index)
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1))
                .optInitializer(Initializer.ZEROS)
                .build();
        addParameter(alpha);
        addParameter(beta);
        if (manager != null) {
            alpha.initialize(manager, DataType.FLOAT32);
            beta.initialize(manager, DataType.FLOAT32);
        }
        alphas.add(alpha);
        betas.add(beta);
        segmentSizes.add(size);
    }

    public int numSegments() {
        return segmentSizes.size();
    }

    public Parameter alpha(int segment) {
        return alphas.get(segment);
    }

    public Parameter beta(int segment) {
        return betas.get(segment);
    }

    /** The (alpha, beta) pair of one segment, e.g. the newest one, which BiC's second stage trains. */
    public List<Parameter> segmentParameters(int segment) {
        return List.of(alphas.get(segment), betas.get(segment));
    }

    /** Applies the correction to logits (B, sum of segment sizes). */
    public NDArray apply(ParameterStore parameterStore, NDArray logits, boolean training) {
        long total = logits.getShape().get(1);
        if (total != segmentSizes.stream().mapToLong(Integer::longValue).sum()) {
            throw new IllegalArgumentException(
                    "logits have " + total + " classes but bias correction covers " + segmentSizes);
        }
        NDList parts = new NDList(segmentSizes.size());
        long start = 0;
        for (int i = 0; i < segmentSizes.size(); i++) {
            long end = start + segmentSizes.get(i);
            NDArray alpha = parameterStore.getValue(alphas.get(i), logits.getDevice(), training);
            NDArray beta = parameterStore.getValue(betas.get(i), logits.getDevice(), training);
            parts.add(logits.get(":, {}:{}", start, end).mul(alpha).add(beta));
            start = end;
        }
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 1);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(parameterStore, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    // The number of classes grows between saves, so input shapes are not part of the saved state.
    @Override
    protected void saveMetadata(DataOutputStream os) {}

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws ai.djl.MalformedModelException {
        if (loadVersion != version) {
            throw new ai.djl.MalformedModelException("BiasCorrection version " + loadVersion + ", expected " + version);
        }
    }
}
