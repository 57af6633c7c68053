package org.mnemos.engine.model;

import java.util.List;
import java.util.Locale;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.ModelSpec;

/** Builds the backbone a {@link ModelSpec} names for inputs of the given shape. */
public final class Backbones {

    public static final List<String> NAMES = List.of("mlp", "resnet32", "resnet18", "resnet8");

    /** ResNet-18 inputs up to this side get PyCIL's CIFAR stem (conv3x3/1, no maxpool). */
    private static final int SMALL_INPUT_MAX_SIDE = 64;

    private Backbones() {}

    /**
     * {@code mlp} (hidden units from the spec, default 400-400), {@code resnet32}, {@code resnet18} or
     * {@code resnet8} (ResNet-32's layout with one block per stage).
     * With a cosine or LSC head the ResNets drop their final ReLU, as LUCIR and PODNet do.
     */
    public static Backbone create(ModelSpec spec, int channels, int height, int width) {
        return create(spec, channels, height, width, false);
    }

    /**
     * Whether the network of {@code phase} aggregates branches: with AANets from phase 1 on, phase 0
     * training a single network that both branches start from.
     */
    public static boolean aggregates(ModelSpec spec, int phase) {
        return phase > 0 && spec.aggregation() instanceof AanetsSpec;
    }

    /**
     * Whether the network of {@code phase} has frozen kernels with trainable scales: with
     * {@code model.scaledKernels} from phase 1 on, phase 0 training the kernels they freeze at (the
     * scaled-kernels part checks that the backbone has kernels and no aggregation).
     */
    public static boolean scalesKernels(ModelSpec spec, int phase) {
        return spec.scalesKernels() && phase > 0;
    }

    /** The backbone of {@code phase}'s network: aggregated (AANets) or with scaled kernels where the spec says so. */
    public static Backbone forPhase(ModelSpec spec, int channels, int height, int width, int phase) {
        Backbone backbone = create(spec, channels, height, width, aggregates(spec, phase));
        return scalesKernels(spec, phase) ? backbone.scaledVariant() : backbone;
    }

    /**
     * As {@link #create(ModelSpec, int, int, int)}; with {@code aggregated} the named backbone is the
     * base of an {@link AggregatedBackbone} with the branch types of {@code model.aggregation}.
     */
    public static Backbone create(ModelSpec spec, int channels, int height, int width, boolean aggregated) {
        Backbone single = single(spec, channels, height, width);
        if (!aggregated) {
            return single;
        }
        if (!(spec.aggregation() instanceof AanetsSpec aanets)) {
            throw new SpecException(
                    "model.aggregation", "an aggregated backbone needs an aggregation; allowed: " + AanetsSpec.NAME);
        }
        // the branch types' defaults do not depend on the method
        AanetsSpec options = aanets.resolved(false);
        return AggregatedBackbone.builder()
                .setBase(single)
                .optStableBranch(BranchType.named(options.stableBranch(), "model.aggregation.stableBranch"))
                .optPlasticBranch(BranchType.named(options.plasticBranch(), "model.aggregation.plasticBranch"))
                .build();
    }

    private static Backbone single(ModelSpec spec, int channels, int height, int width) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "input shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        String name = spec.backbone();
        if (name == null) {
            throw new SpecException("model.backbone", "required; allowed: " + NAMES);
        }
        boolean lastRelu = IncrementalNet.headType(spec.head()) == HeadType.LINEAR;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mlp" -> mlp(spec, channels * height * width);
            case "resnet32" ->
                CifarResNet.builder()
                        .optLastRelu(lastRelu)
                        .optProjectionShortcut(projectionShortcut(spec, lastRelu))
                        .build();
            // the same CIFAR ResNet with one block per stage: a small CNN for CPU-sized measurements
            case "resnet8" ->
                CifarResNet.builder()
                        .optBlocksPerStage(1)
                        .optLastRelu(lastRelu)
                        .optProjectionShortcut(projectionShortcut(spec, lastRelu))
                        .build();
            case "resnet18" ->
                ResNet18.builder()
                        .optSmallInput(height <= SMALL_INPUT_MAX_SIDE && width <= SMALL_INPUT_MAX_SIDE)
                        .optLastRelu(lastRelu)
                        .build();
            default -> throw new SpecException("model.backbone", "unknown backbone '" + name + "'; allowed: " + NAMES);
        };
    }

    /** The spec's ResNet-32 shortcut; unresolved specs take the default of their head. */
    private static boolean projectionShortcut(ModelSpec spec, boolean linearHead) {
        if (spec.shortcut() == null) {
            return !linearHead;
        }
        if (!ModelSpec.SHORTCUTS.contains(spec.shortcut())) {
            throw new SpecException(
                    "model.shortcut", "unknown shortcut '" + spec.shortcut() + "'; allowed: " + ModelSpec.SHORTCUTS);
        }
        return spec.shortcut().equals("projection");
    }

    private static Mlp mlp(ModelSpec spec, int inputSize) {
        Mlp.Builder builder = Mlp.builder().setInputSize(inputSize);
        if (spec.hiddenUnits() != null) {
            if (spec.hiddenUnits().isEmpty() || spec.hiddenUnits().stream().anyMatch(u -> u == null || u <= 0)) {
                throw new SpecException(
                        "model.hiddenUnits", "must be a non-empty list of positive sizes, got " + spec.hiddenUnits());
            }
            builder.optHiddenUnits(spec.hiddenUnits());
        }
        return builder.build();
    }
}
