package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import org.mnemos.engine.util.Scalars;

/** Small tensor helpers shared by the loss terms. */
final class Losses {

    private Losses() {}

    /** Mean cross-entropy of integer targets under logits (B, C). */
    static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray logProbabilities = logits.logSoftmax(1);
        return logProbabilities
                .mul(targets.oneHot((int) logits.getShape().get(1)))
                .sum(new int[] {1})
                .mean()
                .neg();
    }

    /** Hinton's soft cross-entropy −Σ softmax(teacher/T)·log_softmax(student/T), averaged over the batch (PyCIL's _KD_loss). */
    static NDArray distillation(NDArray student, NDArray teacher, double temperature) {
        NDArray current = Scalars.div(student, (float) temperature).logSoftmax(1);
        NDArray target = Scalars.div(teacher, (float) temperature).softmax(1);
        return target.mul(current).sum(new int[] {1}).mean().neg();
    }

    /** Per-example cross-entropy (B) of integer targets under logits (B, C). */
    static NDArray crossEntropyPerRow(NDArray logits, NDArray targets) {
        NDArray logProbabilities = logits.logSoftmax(1);
        return logProbabilities
                .mul(targets.oneHot((int) logits.getShape().get(1)))
                .sum(new int[] {1})
                .neg();
    }

    /**
     * ABD's class balancing without exemplars: a row of an old class weighs old/seen, a row of a new
     * class 1 − old/seen (the authors' {@code mappings}); float32 (B).
     */
    static NDArray classBalanceWeights(NDArray targets, int oldClasses, int totalClasses) {
        float oldShare = (float) oldClasses / totalClasses;
        NDArray isOld = targets.lt(oldClasses).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        return isOld.mul(2 * oldShare - 1).add(1 - oldShare);
    }

    /** Columns [from, to) of a (B, C) array. */
    static NDArray columns(NDArray array, int from, int to) {
        return array.get(new NDIndex(":, {}:{}", from, to));
    }

    /** Mean over the batch of 1 - cos(a_i, b_i): PyTorch's CosineEmbeddingLoss with target +1. */
    static NDArray cosineEmbedding(NDArray a, NDArray b) {
        NDArray cosine = a.normalize(2, 1).mul(b.normalize(2, 1)).sum(new int[] {1});
        return cosine.neg().add(1).mean();
    }
}
