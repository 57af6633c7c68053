package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import org.mnemos.engine.util.Scalars;

/**
 * LUCIR's less-forget constraint (Hou et al. 2019, Eq. 6): 1 − cos between the normalised features of
 * the current and the previous network, weighted by λ = λ_base·√(old/new) (the adaptive weight of the
 * original code, computed by the method when the phase starts).
 */
public record LessForgetLoss(double lambda) implements LossTerm {

    public static LessForgetLoss adaptive(double lambdaBase, int oldClasses, int newClasses) {
        return new LessForgetLoss(lambdaBase * Math.sqrt((double) oldClasses / newClasses));
    }

    @Override
    public NDArray compute(StepContext step) {
        return Scalars.mul(Losses.cosineEmbedding(step.features(), step.previousFeatures()), (float) lambda);
    }

    @Override
    public boolean needsPreviousModel() {
        return true;
    }
}
