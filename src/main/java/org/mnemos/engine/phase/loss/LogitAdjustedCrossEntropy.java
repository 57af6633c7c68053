package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;

/**
 * FOSTER's classification term of the boosting stage: cross-entropy of the logits divided by a
 * per-class weight ({@code F.cross_entropy(logits / per_cls_weights, targets)} in PyCIL), which
 * weakens the frequent new classes against the few exemplars of the old ones.
 *
 * @param classWeights one positive weight per seen class, in incremental label order
 */
public record LogitAdjustedCrossEntropy(float[] classWeights) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray weights = step.logits().getManager().create(classWeights);
        return Losses.crossEntropy(step.logits().div(weights), step.targets());
    }
}
