package org.mnemos.engine.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * LUCIR's initialisation of the new classes' weights: the normalised mean of each new class's
 * normalised features under the previous model (weights imprinting, Qi et al. 2018).
 */
final class WeightImprinting implements PhaseHook {

    @Override
    public void beforeTraining(PhaseSession session) {
        if (session.oldClasses() == 0 || session.previousNet() == null) {
            return;
        }
        Samples training = session.training();
        int newClasses = session.totalClasses() - session.oldClasses();
        int dim = session.net().backbone().featureDim();
        float[] weights = new float[newClasses * dim];
        for (int c = 0; c < newClasses; c++) {
            int label = session.oldClasses() + c;
            float[][] features = session.features(session.previousNet(), training.subset(training.indicesOfLabels(label, label + 1)));
            double[] mean = new double[dim];
            for (float[] f : features) {
                for (int d = 0; d < dim; d++) {
                    mean[d] += f[d];
                }
            }
            double norm = 0;
            for (double v : mean) {
                norm += v * v;
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int d = 0; d < dim; d++) {
                weights[c * dim + d] = (float) (mean[d] / norm);
            }
        }
        NDArray segment = session.net().segmentWeight(session.net().numSegments() - 1);
        try (NDArray imprinted = segment.getManager().create(weights, new Shape(newClasses, dim))) {
            segment.subi(segment).addi(imprinted);
        }
    }
}
