package org.mnemos.engine.parts.memory.mnemonics;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/**
 * The mnemonics bilevel objective (Liu et al. 2020, Eq. 6-8) on features, as in the authors' code:
 * the temporary model is a cosine classifier over the frozen backbone's features (their
 * {@code fast_fc}), initialised with the exemplars' normalised class means and trained for a few SGD
 * steps on the exemplars alone; its cross-entropy on real data is the outer loss. Logits are
 * cosines times a fixed scale (the code's are plain cosines, scale 1: on a few classes that leaves the
 * cross-entropy near its uniform value and the exemplar gradient weak).
 *
 * <p>The inner gradient is written out in closed form with differentiable operations, so one
 * ordinary backward of the outer loss differentiates through the unrolled steps: the same
 * second-order gradient PyTorch's {@code create_graph=True} gives (checked against it in
 * MnemonicsGradientTest). In first-order mode each inner gradient is detached, so the exemplars
 * are only reached through the classifier's initialisation and the features themselves.
 *
 * <p>{@link #codeLoss} is the single-level variant of the published training loop: no inner
 * steps, the classifier is the class means of the exemplars' raw features.
 *
 * <p>All results are attached to the inputs' managers; call with gradient recording on when the
 * gradient is wanted.
 */
public final class MnemonicsObjective {

    private static final float EPSILON = 1e-12f; // F.normalize's

    private MnemonicsObjective() {}

    /**
     * @param exemplarFeatures (E, D) backbone features of all exemplars (differentiable in the adjusted ones)
     * @param exemplarOneHot (E, C) one-hot float labels of the exemplars
     * @param queryFeatures (B, D) features of a batch of real data (constants)
     * @param queryOneHot (B, C) one-hot float labels of that batch
     * @param scale the logits' inverse temperature, in the inner steps and the outer loss
     * @return the scalar outer loss: mean cross-entropy of the adapted classifier on the batch
     */
    public static NDArray outerLoss(
            NDArray exemplarFeatures,
            NDArray exemplarOneHot,
            NDArray queryFeatures,
            NDArray queryOneHot,
            int innerSteps,
            float innerLr,
            float scale,
            boolean firstOrder) {
        NDArray weights = adaptedClassifier(exemplarFeatures, exemplarOneHot, innerSteps, innerLr, scale, firstOrder);
        return crossEntropy(Scalars.mul(cosineLogits(queryFeatures.normalize(2, 1), weights), scale), queryOneHot);
    }

    /**
     * The published code's single-level loss: cosine logits of the batch against the class means of
     * the exemplars' raw features (differentiable in the adjusted exemplars), cross-entropy.
     */
    public static NDArray codeLoss(
            NDArray exemplarFeatures, NDArray exemplarOneHot, NDArray queryFeatures, NDArray queryOneHot) {
        NDArray means = classMeans(exemplarFeatures, exemplarOneHot);
        return crossEntropy(cosineLogits(queryFeatures.normalize(2, 1), means), queryOneHot);
    }

    /** The temporary classifier (C, D) after {@code innerSteps} SGD steps on the exemplars. */
    public static NDArray adaptedClassifier(
            NDArray exemplarFeatures,
            NDArray exemplarOneHot,
            int innerSteps,
            float innerLr,
            float scale,
            boolean firstOrder) {
        NDArray normalized = exemplarFeatures.normalize(2, 1);
        NDArray weights = classMeans(normalized, exemplarOneHot);
        for (int step = 0; step < innerSteps; step++) {
            NDArray gradient = innerGradient(normalized, exemplarOneHot, weights, scale);
            weights = weights.sub(Scalars.mul(firstOrder ? gradient.stopGradient() : gradient, innerLr));
        }
        return weights;
    }

    /** Mean of the features of each class (C, D); a class without exemplars gets zeros. */
    static NDArray classMeans(NDArray features, NDArray oneHot) {
        NDArray counts = oneHot.sum(new int[] {0}).maximum(1f).reshape(-1, 1);
        return oneHot.transpose().matMul(features).div(counts);
    }

    /** Cosine similarities (B, C) of normalised features to the classifier's rows. */
    static NDArray cosineLogits(NDArray normalizedFeatures, NDArray weights) {
        return normalizedFeatures.matMul(weights.normalize(2, 1).transpose());
    }

    static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
        return Scalars.div(
                logits.logSoftmax(1).mul(oneHot).sum(), -logits.getShape().get(0));
    }

    /**
     * d/dW of the mean cross-entropy of scaled cosine logits: with P = softmax(s F̂ Ŵᵀ), the gradient
     * with respect to Ŵ is s (P − Y)ᵀ F̂ / N, and Ŵ = W/‖W‖ row-wise projects it: (g − Ŵ⟨g, Ŵ⟩)/‖W‖.
     */
    static NDArray innerGradient(NDArray normalizedFeatures, NDArray oneHot, NDArray weights, float scale) {
        NDArray norms = Scalars.maximum(weights.norm(new int[] {1}, true), EPSILON);
        NDArray unit = weights.div(norms);
        NDArray probabilities =
                Scalars.mul(normalizedFeatures.matMul(unit.transpose()), scale).softmax(1);
        NDArray unitGradient = Scalars.mul(
                probabilities.sub(oneHot).transpose().matMul(normalizedFeatures),
                scale / normalizedFeatures.getShape().get(0));
        NDArray radial = unitGradient.mul(unit).sum(new int[] {1}, true);
        return unitGradient.sub(unit.mul(radial)).div(norms);
    }
}
