package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/**
 * PODNet's NCA classification loss over the local-similarity classifier's scaled class similarities
 * (the logits): minus the log of the target's share, with the positive excluded from the denominator
 * (its slot contributes exp(0), as in PODNet's code), averaged over the batch.
 *
 * <p>PODNet's code subtracts the margin from every column ({@code similarities - margin} rather than
 * {@code - margins}), so it cancels and its published numbers were obtained without one; that is the
 * default here. {@code marginOnTarget} applies the margin of the paper to the target column only.
 */
public record NcaLoss(double margin, boolean marginOnTarget) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray logits = step.logits();
        NDArray positive = step.targets().oneHot(step.totalClasses()).toType(logits.getDataType(), false);
        NDArray scaled = logits;
        if (marginOnTarget) {
            NDArray scaledMargin = step.cosineScale() == null
                    ? positive.mul((float) margin)
                    : Scalars.mul(positive.mul(step.cosineScale()), (float) margin);
            scaled = logits.sub(scaledMargin);
        }
        NDArray stable = scaled.sub(scaled.max(new int[] {1}, true));
        NDArray numerator = stable.mul(positive).sum(new int[] {1});
        NDArray denominator =
                stable.sub(stable.mul(positive)).exp().sum(new int[] {1}).log();
        return numerator.sub(denominator).neg().mean();
    }
}
