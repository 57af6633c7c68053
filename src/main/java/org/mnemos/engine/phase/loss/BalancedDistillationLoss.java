package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/**
 * FOSTER's compression objective (PyCIL's {@code BKD}): the student's log-softmax at temperature T
 * against the teacher's softmax re-weighted per class and renormalised,
 * {@code −Σ_c q_c·log p_c / B} with {@code q ∝ softmax(z_teacher/T) · w}. The teacher is the
 * reference network of the stage ({@link StepContext#previousLogits()}), over all seen classes.
 *
 * @param classWeights one positive weight per seen class, in incremental label order
 */
public record BalancedDistillationLoss(float[] classWeights, double temperature) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray student = Scalars.div(step.logits(), (float) temperature).logSoftmax(1);
        NDArray teacher = Scalars.div(step.previousLogits(), (float) temperature)
                .softmax(1)
                .mul(step.logits().getManager().create(classWeights));
        NDArray balanced = teacher.div(teacher.sum(new int[] {1}, true));
        return Scalars.div(balanced.mul(student).sum(), student.getShape().get(0))
                .neg();
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
