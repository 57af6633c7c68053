package org.mnemos.engine.phase;

/**
 * Normalised class means in feature space for the nearest-mean-of-exemplars classifier: the mean of
 * each class's normalised exemplar features, normalised again (iCaRL).
 */
public final class ClassMeans {

    private ClassMeans() {}

    /** @return one mean per incremental label in [0, classes); a class without exemplars gets zeros */
    public static float[][] compute(PhaseSession session, int classes) {
        Samples memory = session.memorySamples();
        float[][] features = session.features(memory);
        int dim = session.net().backbone().featureDim();
        float[][] means = new float[classes][dim];
        int[] counts = new int[classes];
        for (int i = 0; i < features.length; i++) {
            int label = memory.labels()[i];
            counts[label]++;
            for (int d = 0; d < dim; d++) {
                means[label][d] += features[i][d];
            }
        }
        for (float[] mean : means) {
            double norm = 0;
            for (float v : mean) {
                norm += v * v;
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int d = 0; d < dim; d++) {
                mean[d] /= (float) norm;
            }
        }
        return means;
    }
}
