package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.mnemos.engine.util.Scalars;

/**
 * PODNet's POD-spatial distillation (Douillard et al. 2020, Eq. 3–4): squared activations of each
 * stage pooled along width and along height, concatenated, L2-normalised per sample; the Euclidean
 * distance between current and previous, averaged over the batch and then over the stages. Only
 * spatial (B,C,H,W) maps take part: an MLP's hidden activations have no width or height to pool,
 * so on an MLP the term is zero and PODNet reduces to its flat distillation.
 */
public record PodSpatialLoss(double weight) implements LossTerm {

    @Override
    public NDArray compute(StepContext step) {
        NDList current = step.maps();
        NDList previous = step.previousMaps();
        NDArray total = null;
        int stages = 0;
        for (int i = 0; i < current.size(); i++) {
            if (current.get(i).getShape().dimension() != 4) {
                continue;
            }
            stages++;
            NDArray distance = pooled(current.get(i))
                    .sub(pooled(previous.get(i)))
                    .norm(new int[] {1})
                    .mean();
            total = total == null ? distance : total.add(distance);
        }
        if (total == null) {
            return step.features().getManager().create(0f);
        }
        return Scalars.mul(Scalars.div(total, stages), (float) weight);
    }

    private static NDArray pooled(NDArray map) {
        NDArray squared = Scalars.pow(map, 2f);
        long batch = map.getShape().get(0);
        NDArray alongHeight = squared.sum(new int[] {3}).reshape(batch, -1);
        NDArray alongWidth = squared.sum(new int[] {2}).reshape(batch, -1);
        return alongHeight.concat(alongWidth, 1).normalize(2, 1);
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
