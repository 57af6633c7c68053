package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;

/**
 * FOSTER's {@code loss_fe}: cross-entropy over all seen classes of a separate linear classifier
 * ({@code fe_fc}) on the new extractor's features alone, so that the new extractor learns
 * discriminative features by itself. Reads the new features, the third output of a
 * {@link org.mnemos.engine.model.BoostedBackbone} (the second of {@link StepContext#maps()}).
 */
public record NewExtractorCrossEntropy(Parameter weight, Parameter bias) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray newFeatures = step.maps().get(1);
        NDArray logits =
                Linear.linear(newFeatures, weight.getArray(), bias.getArray()).head();
        return Losses.crossEntropy(logits, step.targets());
    }
}
