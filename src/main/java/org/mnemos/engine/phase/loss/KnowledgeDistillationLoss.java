package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/**
 * Hinton's distillation on the old classes' logits (LwF, iCaRL as in PyCIL, BiC):
 * −Σ softmax(z_old/T) · log_softmax(z/T), averaged over the batch, times {@code weight}.
 */
public record KnowledgeDistillationLoss(double temperature, double weight) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray current = Scalars.div(Losses.columns(step.logits(), 0, step.oldClasses()), (float) temperature)
                .logSoftmax(1);
        NDArray teacher =
                Scalars.div(step.previousLogits(), (float) temperature).softmax(1);
        return Scalars.mul(teacher.mul(current).sum(new int[] {1}).mean().neg(), (float) weight);
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
