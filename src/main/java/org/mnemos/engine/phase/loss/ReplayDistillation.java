package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/**
 * DeepInversion's replay objective as in the ABD authors' {@code DeepInversionGenBN}: Hinton's
 * distillation of the old logits on the real rows, plus, on the dreamed rows, distillation over
 * all seen classes towards the previous network's softened old-class scores padded with zeros for
 * the new classes; each averaged over its rows (no T² factor), times {@code weight}.
 */
public record ReplayDistillation(double temperature, double weight) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        float t = (float) temperature;
        int old = step.oldClasses();
        int real = step.realRows();
        NDArray logits = step.logits();
        NDArray teacher =
                Scalars.div(Losses.columns(step.previousLogits(), 0, old), t).softmax(1);
        NDArray realPart =
                softCrossEntropy(Losses.columns(logits.get("0:{}", real), 0, old), teacher.get("0:{}", real), t);
        if (real == step.batchRows()) {
            return Scalars.mul(realPart, (float) weight);
        }
        NDArray dreamedTeacher = teacher.get("{}:", real);
        NDArray padded = dreamedTeacher.concat(
                dreamedTeacher
                        .getManager()
                        .zeros(
                                new ai.djl.ndarray.types.Shape(
                                        dreamedTeacher.getShape().get(0), step.newClasses()),
                                dreamedTeacher.getDataType(),
                                dreamedTeacher.getDevice()),
                1);
        NDArray dreamedPart = softCrossEntropy(logits.get("{}:", real), padded, t);
        return Scalars.mul(realPart.add(dreamedPart), (float) weight);
    }

    private static NDArray softCrossEntropy(NDArray logits, NDArray targets, float t) {
        return targets.mul(Scalars.div(logits, t).logSoftmax(1))
                .sum(new int[] {1})
                .mean()
                .neg();
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
