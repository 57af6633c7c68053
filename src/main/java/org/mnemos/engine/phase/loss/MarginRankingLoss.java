package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/**
 * LUCIR's inter-class separation (Eq. 7): for each sample of an old class, the raw cosine score of its
 * ground-truth class must exceed each of the top-K scores among the new classes by {@code margin};
 * hinge averaged over those (sample, negative) pairs, as PyTorch's MarginRankingLoss does in LUCIR's
 * code. Works on raw cosines, i.e. the logits divided by the head's scale.
 */
public record MarginRankingLoss(double margin, int hardNegatives, double weight) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDArray raw = step.cosineScale() == null ? step.logits() : step.logits().div(step.cosineScale());
        NDArray groundTruth =
                raw.mul(step.targets().oneHot(step.totalClasses())).sum(new int[] {1}, true);
        int k = Math.min(hardNegatives, step.newClasses());
        NDArray hardestNew = Losses.columns(raw, step.oldClasses(), step.totalClasses())
                .topK(k, 1)
                .get(0);
        // hinge(margin - (gt - negative)) for every pair; only samples of old classes count
        NDArray hinge = Scalars.maximum(hardestNew.sub(groundTruth).add((float) margin), 0f);
        NDArray oldSample = step.targets()
                .lt(step.oldClasses())
                .toType(hinge.getDataType(), false)
                .reshape(-1, 1);
        NDArray pairs = oldSample.sum().mul(k);
        return Scalars.mul(hinge.mul(oldSample).sum().div(pairs.maximum(1f)), (float) weight);
    }
}
