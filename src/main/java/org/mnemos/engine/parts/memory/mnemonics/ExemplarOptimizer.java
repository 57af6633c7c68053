package org.mnemos.engine.parts.memory.mnemonics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.function.UnaryOperator;
import org.mnemos.engine.optim.Adam;
import org.mnemos.engine.optim.Gradients;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.optim.Sgd;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsOptions.Mode;
import org.mnemos.engine.phase.OuterLoop;
import org.mnemos.engine.util.Autograd;
import org.mnemos.engine.util.Scalars;

/**
 * The outer step of the mnemonics stage on one batch of real data: the mode's loss, its gradient in
 * the adjusted exemplars (normalised network inputs), the optimiser's step, then the projection onto
 * the allowed box: the valid pixel range, intersected in the paper-style modes with the L∞ ball of
 * {@code maxChange} grey levels around the herding start. The code mode is the official loop
 * (yaoyao-liu/mnemonics-training@987b46d {@code trainer/mnemonics.py:335-373}): SGD with momentum 0.9 and
 * weight decay 5e-4 at half the given lr (its StepLR is stepped before the single epoch).
 */
final class ExemplarOptimizer implements AutoCloseable {

    private final MnemonicsOptions options;
    private final UnaryOperator<NDArray> features;
    private final NDArray adjusted;
    private final NDArray fixed;
    private final NDArray exemplarOneHot;
    private final NDArray lower;
    private final NDArray upper;
    private final List<Parameter> trainable;
    private final Optimizer optimizer;

    /**
     * @param adjusted (N, C, H, W) the exemplars to optimise, a contiguous array this optimiser updates in place
     * @param fixed the other exemplars (constants), or null
     * @param exemplarOneHot (N + fixed, classes) one-hot labels, adjusted rows first
     * @param lowest (1, C, 1, 1) the smallest valid normalised value per channel
     * @param highest (1, C, 1, 1) the largest
     * @param maxChange (1, C, 1, 1) the L∞ bound in normalised units per channel, or null for none
     * @param features the frozen backbone's features of normalised inputs
     */
    ExemplarOptimizer(
            MnemonicsOptions options,
            NDArray adjusted,
            NDArray fixed,
            NDArray exemplarOneHot,
            NDArray lowest,
            NDArray highest,
            NDArray maxChange,
            UnaryOperator<NDArray> features) {
        this.options = options;
        this.features = features;
        this.adjusted = adjusted;
        this.fixed = fixed;
        this.exemplarOneHot = exemplarOneHot;
        if (maxChange == null) {
            this.lower = lowest;
            this.upper = highest;
        } else {
            this.lower = adjusted.sub(maxChange).maximum(lowest);
            this.upper = adjusted.add(maxChange).minimum(highest);
        }
        Parameter parameter = Parameter.builder()
                .setName("mnemonics")
                .setType(Parameter.Type.OTHER)
                .build();
        parameter.setArray(adjusted);
        this.trainable = List.of(parameter);
        this.optimizer = options.mode() == Mode.CODE
                ? Sgd.builder().optMomentum(0.9f).optWeightDecay(5e-4f).build()
                : Adam.builder().build();
        adjusted.setRequiresGradient(true);
    }

    /**
     * Outer step {@code step} of {@code loop} on a batch of real (already transformed) inputs, applied
     * where the loop admits it; returns the loss before the step.
     */
    float step(NDManager batch, NDArray queryInputs, NDArray queryOneHot, long step, OuterLoop loop) {
        NDArray queryFeatures = features.apply(queryInputs);
        NDArray outer;
        Autograd.enable();
        try {
            outer = loss(exemplarFeatures(batch), queryFeatures, queryOneHot);
            Autograd.backward(outer);
        } finally {
            Autograd.disable();
        }
        float loss = outer.getFloat();
        if (loop.admits(step, loss, Float.isFinite(loss) && finite(adjusted.getGradient(), batch))) {
            optimizer.step(
                    trainable,
                    options.mode() == Mode.CODE
                            ? options.outerLr() * MnemonicsOptions.CODE_LR_FACTOR
                            : options.outerLr());
            project(batch);
        }
        Gradients.zero(trainable);
        return loss;
    }

    /** The outer loss on a batch of real inputs without a gradient. */
    double loss(NDManager batch, NDArray queryInputs, NDArray queryOneHot) {
        return loss(exemplarFeatures(batch), features.apply(queryInputs), queryOneHot)
                .getFloat();
    }

    private NDArray loss(NDArray exemplarFeatures, NDArray queryFeatures, NDArray queryOneHot) {
        return options.mode() == Mode.CODE
                ? MnemonicsObjective.codeLoss(exemplarFeatures, exemplarOneHot, queryFeatures, queryOneHot)
                : MnemonicsObjective.outerLoss(
                        exemplarFeatures,
                        exemplarOneHot,
                        queryFeatures,
                        queryOneHot,
                        options.innerSteps(),
                        options.innerLr(),
                        options.logitScale(),
                        options.mode() == Mode.FIRST_ORDER);
    }

    /** Features of all exemplars (adjusted first), in {@code batch}; differentiable in the adjusted ones. */
    private NDArray exemplarFeatures(NDManager batch) {
        // an (autograd-tracked) copy owned by the batch, so the graph of this step is freed with it;
        // DJL's duplicate() would detach it
        NDArray copy = Scalars.mul(adjusted, 1f);
        copy.attach(batch);
        NDArray all = fixed == null ? copy : NDArrays.concat(new NDList(copy, fixed), 0);
        return features.apply(all);
    }

    private static boolean finite(NDArray gradient, NDManager batch) {
        gradient.attach(batch);
        return !gradient.isNaN().logicalOr(gradient.isInfinite()).any().getBoolean();
    }

    /** Puts the exemplars back into their box, in place. */
    private void project(NDManager batch) {
        NDArray raised = adjusted.maximum(lower);
        raised.attach(batch);
        NDArray clipped = raised.minimum(upper);
        adjusted.muli(0f).addi(clipped);
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
