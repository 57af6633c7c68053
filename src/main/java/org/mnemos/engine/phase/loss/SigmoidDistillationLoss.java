package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.mnemos.engine.util.Scalars;

/**
 * iCaRL's classification-and-distillation loss, as the ABD authors' {@code LWF_MC}: binary
 * cross-entropy of sigmoid(logits) over the seen classes, towards the one-hot label on the new
 * classes' columns and the previous network's sigmoid outputs on the old ones (one-hot everywhere
 * in the first phase); summed over classes, averaged over the batch. The logs are taken as
 * −softplus (PyTorch's BCELoss takes log σ and clamps it at −100, which gives an infinite gradient
 * once σ rounds to 1 in float32); both agree to float precision wherever |logit| < 16.
 */
public record SigmoidDistillationLoss() implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray logits = step.logits();
        NDArray targets = step.targets().oneHot(step.totalClasses()).toType(logits.getDataType(), false);
        if (step.oldClasses() > 0) {
            NDArray previous = Activation.sigmoid(Losses.columns(step.previousLogits(), 0, step.oldClasses()));
            targets = previous.concat(Losses.columns(targets, step.oldClasses(), step.totalClasses()), 1);
        }
        // log σ(x) = −softplus(−x), log(1 − σ(x)) = −softplus(x): finite gradients where σ saturates
        NDArray logP = Scalars.maximum(Activation.softPlus(logits.neg()).neg(), -100f);
        NDArray logNotP = Scalars.maximum(Activation.softPlus(logits).neg(), -100f);
        NDArray perElement =
                targets.mul(logP).add(targets.neg().add(1f).mul(logNotP)).neg();
        return Scalars.div(perElement.sum(), step.batchRows());
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
