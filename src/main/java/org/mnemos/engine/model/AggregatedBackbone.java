package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Adaptive Aggregation Networks (Liu, Schiele, Sun, CVPR 2021): two branches of the same
 * architecture side by side, a stable one and a plastic one, mixed after every level by a learned
 * weight: {@code out_k = α_k·stable_k(x) + (1 − α_k)·plastic_k(x)}, where both branches read the
 * mixed output of level k − 1 (the {@code fp_k} of the authors' code). Each α starts at 0.5 and is
 * used as it is, without squashing, as in the code. Forward returns the features of the last mixed
 * level, then every mixed level's output, as {@link Backbone} requires.
 *
 * <p>The α are ordinary parameters that require gradients, but they are learned apart from the
 * branches (on a class-balanced set), so training code must leave them out of the main optimiser:
 * {@link #aggregationWeights()} names them.
 */
public final class AggregatedBackbone extends Backbone {

    private static final byte VERSION = 1;
    private static final float INITIAL_WEIGHT = 0.5f;

    private final Backbone base;
    private final BranchType stableType;
    private final BranchType plasticType;
    private final Backbone stable;
    private final Backbone plastic;
    private final List<Parameter> weights = new ArrayList<>();

    private AggregatedBackbone(Builder builder) {
        super(VERSION);
        this.base = builder.base;
        this.stableType = builder.stableType;
        this.plasticType = builder.plasticType;
        this.stable = addChildBlock("stable", branch(base, stableType));
        this.plastic = addChildBlock("plastic", branch(base, plasticType));
        for (int level = 0; level < base.levels(); level++) {
            weights.add(addParameter(Parameter.builder()
                    .setName("alpha" + level)
                    .setType(Parameter.Type.OTHER)
                    .optShape(new Shape(1))
                    .optInitializer(new ConstantInitializer(INITIAL_WEIGHT))
                    .build()));
        }
    }

    private static Backbone branch(Backbone base, BranchType type) {
        Backbone branch = type == BranchType.SCALED ? base.scaledVariant() : base.sameArchitecture();
        if (type == BranchType.FIXED) {
            branch.freezeParameters(true);
        }
        return branch;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Backbone stable() {
        return stable;
    }

    public Backbone plastic() {
        return plastic;
    }

    public BranchType stableType() {
        return stableType;
    }

    public BranchType plasticType() {
        return plasticType;
    }

    /** One α per level, shape (1): the stable branch's share of that level's output. */
    public List<Parameter> aggregationWeights() {
        return List.copyOf(weights);
    }

    /** The current α per level. */
    public List<Double> aggregationWeightValues() {
        List<Double> values = new ArrayList<>(weights.size());
        for (Parameter weight : weights) {
            values.add((double) weight.getArray().getFloat(0));
        }
        return values;
    }

    /**
     * Loads the single network {@code single} (same architecture as this one's branches, plain
     * layers) into both branches: AANets' phase 1 starts both from the network of phase 0. The
     * scales of a scaled branch keep their initial 1 and the α their initial 0.5.
     */
    public void startFrom(Backbone single) {
        ParameterList source = single.getParameters();
        for (Backbone branch : List.of(stable, plastic)) {
            ParameterList target = branch.getParameters();
            for (var entry : source) {
                Parameter into = target.get(entry.getKey());
                if (into == null
                        || !into.getArray()
                                .getShape()
                                .equals(entry.getValue().getArray().getShape())) {
                    throw new IllegalArgumentException("the branches' architecture has no parameter " + entry.getKey()
                            + " of shape " + entry.getValue().getArray().getShape());
                }
                entry.getValue().getArray().copyTo(into.getArray());
            }
        }
    }

    @Override
    public int featureDim() {
        return base.featureDim();
    }

    @Override
    public Backbone sameArchitecture() {
        return builder()
                .setBase(base.sameArchitecture())
                .optStableBranch(stableType)
                .optPlasticBranch(plasticType)
                .build();
    }

    /** Branches of branches are not a thing AANets defines. */
    @Override
    public Backbone scaledVariant() {
        throw new UnsupportedOperationException("an aggregated backbone has no scaled variant");
    }

    @Override
    public int levels() {
        return weights.size();
    }

    @Override
    public NDArray forwardLevel(ParameterStore parameterStore, int level, NDArray x, boolean training) {
        NDArray stableOut = stable.forwardLevel(parameterStore, level, x, training && stableType != BranchType.FIXED);
        NDArray plasticOut =
                plastic.forwardLevel(parameterStore, level, x, training && plasticType != BranchType.FIXED);
        NDArray alpha = parameterStore.getValue(weights.get(level), x.getDevice(), training);
        // α·s + (1 − α)·p as p + α·(s − p): every intermediate stays on the batch's manager
        return stableOut.sub(plasticOut).mul(alpha).add(plasticOut);
    }

    @Override
    public NDArray features(NDArray lastLevel) {
        return base.features(lastLevel);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList out = new NDList(levels() + 1);
        out.add(null);
        for (int level = 0; level < levels(); level++) {
            x = forwardLevel(parameterStore, level, x, training);
            out.add(x);
        }
        out.set(0, features(x));
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return plastic.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        stable.initialize(manager, dataType, inputShapes);
        plastic.initialize(manager, dataType, inputShapes);
    }

    /**
     * {@code setBase} is required: the single network whose architecture both branches take (not
     * initialised, not used further). Branch types default to {@link BranchType#SCALED} for the
     * stable branch and {@link BranchType#FREE} for the plastic one, AANets' defaults.
     */
    public static final class Builder {

        private Backbone base;
        private BranchType stableType = BranchType.SCALED;
        private BranchType plasticType = BranchType.FREE;

        private Builder() {}

        public Builder setBase(Backbone base) {
            this.base = base;
            return this;
        }

        public Builder optStableBranch(BranchType stableType) {
            this.stableType = stableType;
            return this;
        }

        public Builder optPlasticBranch(BranchType plasticType) {
            this.plasticType = plasticType;
            return this;
        }

        public AggregatedBackbone build() {
            if (base == null) {
                throw new IllegalArgumentException("a base backbone is required");
            }
            if (base instanceof AggregatedBackbone) {
                throw new IllegalArgumentException("the base must be a single network, not an aggregated one");
            }
            if (stableType == null || plasticType == null) {
                throw new IllegalArgumentException("branch types must not be null");
            }
            return new AggregatedBackbone(this);
        }
    }
}
