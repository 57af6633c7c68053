package org.mnemos.engine.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.util.Scalars;

/**
 * A backbone with a classifier that grows by one segment per phase; old segments keep their weights
 * (PyCIL/PODNet style). Forward: {@code NDList(x)} → {@code NDList(logits (B, numClasses), features
 * (B, D), intermediates of the backbone...)}.
 *
 * <p>Call {@link #initialize(NDManager, DataType, Shape...)} with {@code (1, C, H, W)} once after
 * building; segments added later are initialised by {@link #addClasses}. After {@link
 * #loadParameters} use a fresh {@link ParameterStore}: the old arrays are closed.
 */
public final class IncrementalNet extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Backbone backbone;
    private final HeadType headType;
    private final int proxiesPerClass;
    private final float proxyTemperature;
    private final Parameter scale;
    private final BiasCorrection biasCorrection;
    private final List<Integer> segmentSizes = new ArrayList<>();
    private final List<Parameter> segmentWeights = new ArrayList<>();
    private final List<Parameter> segmentBiases = new ArrayList<>();
    private boolean biasCorrectionEnabled = true;

    private IncrementalNet(Builder builder) {
        super(VERSION);
        this.backbone = addChildBlock("backbone", builder.backbone);
        this.headType = builder.headType;
        this.proxiesPerClass = builder.proxiesPerClass;
        this.proxyTemperature = builder.proxyTemperature;
        if (headType == HeadType.LINEAR) {
            this.scale = null;
        } else {
            // PyCIL's sigma / PODNet's learned scale, initialised to 1.
            this.scale = addParameter(Parameter.builder()
                    .setName("head_scale")
                    .setType(Parameter.Type.OTHER)
                    .optShape(new Shape(1))
                    .optInitializer(Initializer.ONES)
                    .build());
        }
        this.biasCorrection = builder.biasCorrection ? addChildBlock("bias_correction", new BiasCorrection()) : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder with the backbone and head named by the spec ({@code head}: linear (default), cosine
     * or lsc); proxies and bias correction can still be set on it.
     */
    public static Builder builderFor(ModelSpec spec, int channels, int height, int width) {
        return builder()
                .setBackbone(Backbones.create(spec, channels, height, width))
                .optHead(headType(spec.head()));
    }

    /**
     * As {@link #builderFor(ModelSpec, int, int, int)} for the network of a given phase: with an
     * {@code aanets} aggregation the backbone aggregates two branches from phase 1 on; with
     * {@code scaledKernels} its convolutions are frozen and rescaled from phase 1 on.
     */
    public static Builder builderFor(ModelSpec spec, int channels, int height, int width, int phase) {
        return builder()
                .setBackbone(Backbones.forPhase(spec, channels, height, width, phase))
                .optHead(headType(spec.head()));
    }

    /** Parses {@code model.head}; null means linear. */
    public static HeadType headType(String head) {
        if (head == null) {
            return HeadType.LINEAR;
        }
        return switch (head.toLowerCase(Locale.ROOT)) {
            case "linear" -> HeadType.LINEAR;
            case "cosine" -> HeadType.COSINE;
            case "lsc" -> HeadType.LSC;
            default ->
                throw new SpecException("model.head", "unknown head '" + head + "'; allowed: linear, cosine, lsc");
        };
    }

    /**
     * A freshly initialised network with the spec's architecture and the given segments, ready for
     * {@link #loadParameters(NDManager, DataInputStream)}.
     */
    public static IncrementalNet rebuild(
            ModelSpec spec, int channels, int height, int width, List<Integer> segmentSizes, NDManager manager) {
        return rebuild(
                builderFor(spec, channels, height, width),
                new Shape(1, channels, height, width),
                segmentSizes,
                manager);
    }

    /** As {@link #rebuild(ModelSpec, int, int, int, List, NDManager)} for a customised builder. */
    public static IncrementalNet rebuild(
            Builder builder, Shape inputShape, List<Integer> segmentSizes, NDManager manager) {
        IncrementalNet net = builder.build();
        net.initialize(manager, DataType.FLOAT32, inputShape);
        for (int size : segmentSizes) {
            net.addClasses(size, manager);
        }
        return net;
    }

    /** Appends a head segment of {@code n} classes, initialised in {@code manager}; old weights are untouched. */
    public void addClasses(int n, NDManager manager) {
        if (n <= 0) {
            throw new IllegalArgumentException("a segment needs at least one class, got " + n);
        }
        addSegment(n, manager);
    }

    private void addSegment(int n, NDManager manager) {
        int index = segmentSizes.size();
        long dim = backbone.featureDim();
        long rows = headType == HeadType.LSC ? (long) n * proxiesPerClass : n;
        Initializer weightInit = switch (headType) {
            // PyCIL SimpleLinear: kaiming_uniform_(nonlinearity='linear'), bound sqrt(3 / fan_in).
            case LINEAR -> Inits.uniform(Math.sqrt(3.0 / dim));
            // PyCIL CosineLinear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
            case COSINE, LSC -> Inits.uniform(1.0 / Math.sqrt(dim));
        };
        Parameter weight = addParameter(Parameter.builder()
                .setName("head_weight" + index)
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(rows, dim))
                .optInitializer(weightInit)
                .build());
        Parameter bias = null;
        if (headType == HeadType.LINEAR) {
            bias = addParameter(Parameter.builder()
                    .setName("head_bias" + index)
                    .setType(Parameter.Type.BIAS)
                    .optShape(new Shape(n))
                    .optInitializer(Initializer.ZEROS)
                    .build());
        }
        if (manager != null) {
            weight.initialize(manager, DataType.FLOAT32);
            if (bias != null) {
                bias.initialize(manager, DataType.FLOAT32);
            }
        }
        segmentWeights.add(weight);
        segmentBiases.add(bias);
        segmentSizes.add(n);
        if (biasCorrection != null) {
            biasCorrection.addSegment(n, manager);
        }
    }

    public int numClasses() {
        int total = 0;
        for (int size : segmentSizes) {
            total += size;
        }
        return total;
    }

    public List<Integer> segmentSizes() {
        return List.copyOf(segmentSizes);
    }

    public int numSegments() {
        return segmentSizes.size();
    }

    public Backbone backbone() {
        return backbone;
    }

    public HeadType headType() {
        return headType;
    }

    public int proxiesPerClass() {
        return proxiesPerClass;
    }

    /** The learnable sigma of the cosine/LSC head; null for the linear head. */
    public Parameter scale() {
        return scale;
    }

    /** Whether forward applies the bias correction layer (default true; no effect without one). */
    public void setBiasCorrectionEnabled(boolean enabled) {
        this.biasCorrectionEnabled = enabled;
    }

    public boolean isBiasCorrectionEnabled() {
        return biasCorrectionEnabled;
    }

    /** Index of the first logit of a segment: segment s covers [classOffset(s), classOffset(s) + size). */
    public int classOffset(int segment) {
        int offset = 0;
        for (int i = 0; i < segment; i++) {
            offset += segmentSizes.get(i);
        }
        return offset;
    }

    /** The bias correction layer, or null when the net was built without one. */
    public BiasCorrection biasCorrection() {
        return biasCorrection;
    }

    /**
     * The weight array of one segment: (n, D), or (n·K, D) class-major for LSC. Writing into it in
     * place (e.g. LUCIR's imprinting) changes the head.
     */
    public NDArray segmentWeight(int segment) {
        return segmentWeights.get(segment).getArray();
    }

    /** Overwrites one segment's weights in place (same shape), e.g. LUCIR's imprinting of new classes. */
    public void setSegmentWeight(int segment, NDArray values) {
        NDArray target = segmentWeights.get(segment).getArray();
        if (!target.getShape().equals(values.getShape())) {
            throw new IllegalArgumentException(
                    "segment " + segment + " has shape " + target.getShape() + ", got " + values.getShape());
        }
        values.copyTo(target);
    }

    public Parameter segmentWeightParameter(int segment) {
        return segmentWeights.get(segment);
    }

    /** The bias parameter of a linear head's segment; null for cosine/LSC heads. */
    public Parameter segmentBiasParameter(int segment) {
        return segmentBiases.get(segment);
    }

    /**
     * Every parameter that requires a gradient, except the bias correction's (BiC trains them
     * separately) and AANets' aggregation weights (learned on class-balanced data separately).
     */
    public List<Parameter> trainableParameters() {
        List<Parameter> aggregation = aggregationWeights();
        List<Parameter> result = new ArrayList<>();
        for (Parameter parameter : getParameters().values()) {
            if (parameter.requiresGradient()
                    && !isBiasCorrectionParameter(parameter)
                    && !aggregation.contains(parameter)) {
                result.add(parameter);
            }
        }
        return result;
    }

    /** AANets' α, one per level; empty for a single-network backbone. */
    public List<Parameter> aggregationWeights() {
        return backbone instanceof AggregatedBackbone aggregated ? aggregated.aggregationWeights() : List.of();
    }

    /**
     * Takes every parameter of {@code single}, a network of the same head and segments whose
     * backbone is one branch of this network's aggregated backbone: the head is copied, and both
     * branches start from its backbone (AANets' phase 1).
     */
    public void startBranchesFrom(IncrementalNet single) {
        if (!(backbone instanceof AggregatedBackbone aggregated)) {
            throw new IllegalStateException("only a network with an aggregated backbone has branches");
        }
        if (!single.segmentSizes.equals(segmentSizes)) {
            throw new IllegalArgumentException("segments differ: " + single.segmentSizes + " vs " + segmentSizes);
        }
        aggregated.startFrom(single.backbone);
        java.util.Collection<Parameter> singleBackbone =
                single.backbone.getParameters().values();
        var target = getParameters();
        for (var entry : single.getParameters()) {
            if (!singleBackbone.contains(entry.getValue())) {
                entry.getValue().getArray().copyTo(target.get(entry.getKey()).getArray());
            }
        }
    }

    /**
     * Takes every parameter of {@code plain}, a network of the same segments whose parameters this
     * one has under the same names (its scaled variant adds the scales, which stay as they are).
     */
    public void startFrom(IncrementalNet plain) {
        if (!plain.segmentSizes.equals(segmentSizes)) {
            throw new IllegalArgumentException("segments differ: " + plain.segmentSizes + " vs " + segmentSizes);
        }
        var target = getParameters();
        for (var entry : plain.getParameters()) {
            Parameter into = target.get(entry.getKey());
            NDArray from = entry.getValue().getArray();
            if (into == null || !into.getArray().getShape().equals(from.getShape())) {
                throw new IllegalArgumentException(
                        "this network has no parameter " + entry.getKey() + " of shape " + from.getShape());
            }
            from.copyTo(into.getArray());
        }
    }

    private boolean isBiasCorrectionParameter(Parameter parameter) {
        return biasCorrection != null
                && biasCorrection.getDirectParameters().values().contains(parameter);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        return withHead(parameterStore, backbone.forward(parameterStore, inputs, training, params), training);
    }

    /**
     * The network's outputs for outputs of its backbone computed elsewhere: the head's logits on the
     * features, then the backbone's outputs (the layout of {@link #forward}).
     */
    public NDList withHead(ParameterStore parameterStore, NDList backboneOut, boolean training) {
        NDList out = new NDList(backboneOut.size() + 1);
        out.add(forwardHead(parameterStore, backboneOut.head(), training));
        out.addAll(backboneOut);
        return out;
    }

    /** Logits (B, numClasses) of the head for given features (B, D), bias-corrected when the net has BiC's layer. */
    public NDArray forwardHead(ParameterStore parameterStore, NDArray features, boolean training) {
        if (headType == HeadType.LINEAR) {
            requireClasses();
            NDArray weight = concatSegments(parameterStore, segmentWeights, features, training);
            NDArray bias = concatSegments(parameterStore, segmentBiases, features, training);
            return corrected(
                    parameterStore, Linear.linear(features, weight, bias).head(), training);
        }
        return forwardHeadWithSimilarities(parameterStore, features, training).head();
    }

    /**
     * For cosine/LSC heads: {@code NDList(logits, similarities)} from one normalisation of the
     * weights, where similarities are {@link #cosineSimilarities} and logits = sigma · similarities
     * (bias-corrected when the net has BiC's layer). LUCIR's losses need both.
     */
    public NDList forwardHeadWithSimilarities(ParameterStore parameterStore, NDArray features, boolean training) {
        NDArray similarities = cosineSimilarities(parameterStore, features, training);
        NDArray sigma = parameterStore.getValue(scale, features.getDevice(), training);
        return new NDList(corrected(parameterStore, similarities.mul(sigma), training), similarities);
    }

    private NDArray corrected(ParameterStore parameterStore, NDArray logits, boolean training) {
        return biasCorrection == null || !biasCorrectionEnabled
                ? logits
                : biasCorrection.apply(parameterStore, logits, training);
    }

    /**
     * The head's similarities before the scale sigma: cos(f, w_c) for COSINE (LUCIR's margin ranking
     * loss uses these), the proxy-merged similarity per class for LSC. Shape (B, numClasses).
     */
    public NDArray cosineSimilarities(ParameterStore parameterStore, NDArray features, boolean training) {
        if (headType == HeadType.LINEAR) {
            throw new IllegalStateException("a linear head has no cosine similarities");
        }
        requireClasses();
        NDArray weight = concatSegments(parameterStore, segmentWeights, features, training);
        NDArray normalizedWeight = weight.normalize(2, 1);
        // normalize() attaches to the weight's manager, which for one segment is the parameter manager.
        normalizedWeight.attach(features.getManager());
        NDArray cosine =
                Linear.linear(features.normalize(2, 1), normalizedWeight).head();
        if (headType == HeadType.COSINE || proxiesPerClass == 1) {
            return cosine;
        }
        // PODNet's "softmax" proxy merging (PyCIL reduce_proxies): attention over the K proxies of each class.
        long batch = cosine.getShape().get(0);
        NDArray perClass = cosine.reshape(batch, numClasses(), proxiesPerClass);
        NDArray attention = Scalars.mul(perClass, proxyTemperature).softmax(-1);
        return attention.mul(perClass).sum(new int[] {-1});
    }

    private void requireClasses() {
        if (segmentSizes.isEmpty()) {
            throw new IllegalStateException("the head has no classes; call addClasses first");
        }
    }

    /** Concatenation of the segments' arrays along axis 0, owned by the batch's manager. */
    private static NDArray concatSegments(
            ParameterStore parameterStore, List<Parameter> parameters, NDArray features, boolean training) {
        if (parameters.size() == 1) {
            return parameterStore.getValue(parameters.get(0), features.getDevice(), training);
        }
        NDList arrays = new NDList(parameters.size());
        for (Parameter parameter : parameters) {
            arrays.add(parameterStore.getValue(parameter, features.getDevice(), training));
        }
        NDArray joined = NDArrays.concat(arrays, 0);
        // concat attaches to the first input's manager, which is the long-lived parameter manager.
        joined.attach(features.getManager());
        return joined;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] backboneShapes = backbone.getOutputShapes(inputShapes);
        Shape[] out = new Shape[backboneShapes.length + 1];
        out[0] = new Shape(inputShapes[0].get(0), numClasses());
        System.arraycopy(backboneShapes, 0, out, 1, backboneShapes.length);
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        if (biasCorrection != null) {
            biasCorrection.initialize(manager, dataType, new Shape(inputShapes[0].get(0), numClasses()));
        }
    }

    /** Replaces all parameter arrays (closing the current ones) and keeps trainable ones trainable. */
    @Override
    public void loadParameters(NDManager manager, DataInputStream is) throws IOException, MalformedModelException {
        for (Parameter parameter : getParameters().values()) {
            parameter.close();
        }
        super.loadParameters(manager, is);
        for (Parameter parameter : getParameters().values()) {
            if (parameter.requiresGradient()) {
                parameter.getArray().setRequiresGradient(true);
            }
        }
    }

    /**
     * A frozen deep copy in {@code manager} (the previous model of distillation methods): same
     * structure, same values, no gradients, independent of later updates of this network.
     */
    public IncrementalNet copy(NDManager manager) {
        IncrementalNet twin = builder()
                .setBackbone(backbone.sameArchitecture())
                .optHead(headType)
                .optProxiesPerClass(proxiesPerClass)
                .optProxyTemperature(proxyTemperature)
                .optBiasCorrection(biasCorrection != null)
                .build();
        for (int size : segmentSizes) {
            twin.addSegment(size, null);
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            saveParameters(new DataOutputStream(bytes));
            twin.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("a network could not reload its own parameters", e);
        }
        twin.freezeParameters(true);
        return twin;
    }

    /** {@code setBackbone} is required; the head defaults to LINEAR, LSC to 10 proxies per class. */
    public static final class Builder {

        private Backbone backbone;
        private HeadType headType = HeadType.LINEAR;
        private Integer proxiesPerClass;
        private float proxyTemperature = 1f;
        private boolean biasCorrection;

        private Builder() {}

        public Builder setBackbone(Backbone backbone) {
            this.backbone = backbone;
            return this;
        }

        public Builder optHead(HeadType headType) {
            this.headType = headType;
            return this;
        }

        /** LSC only: proxies per class (PODNet uses 10). */
        public Builder optProxiesPerClass(int proxiesPerClass) {
            this.proxiesPerClass = proxiesPerClass;
            return this;
        }

        /** LSC only: factor on the similarities inside the proxy softmax (PODNet's gamma, 1). */
        public Builder optProxyTemperature(float proxyTemperature) {
            this.proxyTemperature = proxyTemperature;
            return this;
        }

        /** Adds BiC's per-phase bias correction, applied to the logits in forward. */
        public Builder optBiasCorrection(boolean biasCorrection) {
            this.biasCorrection = biasCorrection;
            return this;
        }

        public IncrementalNet build() {
            if (backbone == null) {
                throw new IllegalArgumentException("a backbone is required");
            }
            if (headType == null) {
                throw new IllegalArgumentException("head type must not be null");
            }
            if (proxiesPerClass == null) {
                proxiesPerClass = headType == HeadType.LSC ? 10 : 1;
            }
            if (proxiesPerClass < 1) {
                throw new IllegalArgumentException("proxiesPerClass must be at least 1, got " + proxiesPerClass);
            }
            if (proxiesPerClass > 1 && headType != HeadType.LSC) {
                throw new IllegalArgumentException("proxies per class apply to the LSC head only");
            }
            if (!(proxyTemperature > 0f)) {
                throw new IllegalArgumentException("proxyTemperature must be positive, got " + proxyTemperature);
            }
            return new IncrementalNet(this);
        }
    }
}
