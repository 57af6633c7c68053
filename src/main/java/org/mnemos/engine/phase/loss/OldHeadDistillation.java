package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import org.mnemos.engine.util.Scalars;

/**
 * FOSTER's {@code loss_kd}: Hinton's distillation of the old classes' logits from the previous
 * model, {@code weight · KD(logits[:, :old], oldfc(old features), T)}. The previous model's logits
 * are its frozen head ({@code oldWeight} (old, D), {@code oldBias} (old)) on the features of the
 * frozen old extractor, the second output of a {@link org.mnemos.engine.model.BoostedBackbone}: the
 * same values a separate forward pass of the previous network gives, without running it twice.
 */
public record OldHeadDistillation(NDArray oldWeight, NDArray oldBias, double temperature, double weight)
        implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray oldFeatures = step.maps().get(0);
        NDArray oldLogits =
                Linear.linear(oldFeatures, oldWeight, oldBias).head().stopGradient();
        NDArray current = Losses.columns(step.logits(), 0, step.oldClasses());
        return Scalars.mul(Losses.distillation(current, oldLogits, temperature), (float) weight);
    }
}
