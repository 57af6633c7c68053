package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;

/**
 * Classification loss. {@code newClassesOnly} restricts it to the new classes' logits with shifted
 * targets, as LwF does (PyCIL's lwf.py), so old logits are shaped by distillation alone.
 */
public record CrossEntropyLoss(boolean newClassesOnly) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        if (!newClassesOnly || step.oldClasses() == 0) {
            return Losses.crossEntropy(step.logits(), step.targets());
        }
        NDArray newLogits = Losses.columns(step.logits(), step.oldClasses(), step.totalClasses());
        return Losses.crossEntropy(newLogits, step.targets().sub(step.oldClasses()));
    }
}
