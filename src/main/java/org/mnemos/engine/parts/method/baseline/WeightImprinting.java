package org.mnemos.engine.parts.method.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;

/**
 * LUCIR's initialisation of the new classes' weights: the normalised mean of each new class's
 * normalised features under the previous model (weights imprinting, Qi et al. 2018), scaled to
 * the mean norm of the old classes' weights, as LUCIR's code does.
 */
public final class WeightImprinting implements PhaseHook {

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
            float[][] features = session.features(
                    session.previousNet(), training.subset(training.indicesOfLabels(label, label + 1)));
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
        float oldNorm = meanOldWeightNorm(session);
        for (int i = 0; i < weights.length; i++) {
            weights[i] *= oldNorm;
        }
        NDArray segment = session.net().segmentWeight(session.net().numSegments() - 1);
        try (NDArray imprinted = segment.getManager().create(weights, new Shape(newClasses, dim))) {
            segment.subi(segment).addi(imprinted);
        }
    }

    /** The mean L2 norm of the old classes' weight rows. */
    static float meanOldWeightNorm(PhaseSession session) {
        double sum = 0;
        long rows = 0;
        for (int segment = 0; segment < session.net().numSegments() - 1; segment++) {
            NDArray weight = session.net().segmentWeight(segment);
            long[] shape = weight.getShape().getShape();
            float[] values = weight.toFloatArray();
            int dim = (int) shape[shape.length - 1];
            for (int row = 0; row < values.length / dim; row++) {
                double squares = 0;
                for (int d = 0; d < dim; d++) {
                    squares += (double) values[row * dim + d] * values[row * dim + d];
                }
                sum += Math.sqrt(squares);
                rows++;
            }
        }
        return rows == 0 ? 1f : (float) (sum / rows);
    }
}
