package org.mnemos.engine.memory;

import java.util.Random;

/**
 * iCaRL's herding (Rebuffi et al. 2017, Alg. 4): greedily pick the image that brings the mean of the
 * picked feature vectors closest to the class mean, without replacement. Features are expected
 * L2-normalised, as in iCaRL's and PyCIL's code; the class mean is their plain mean.
 */
public final class HerdingSelector implements ExemplarSelector {

    @Override
    public int[] select(float[][] features, int count, Random rng) {
        int n = features.length;
        int take = Math.min(count, n);
        if (take == 0) {
            return new int[0];
        }
        int dim = features[0].length;
        double[] mean = new double[dim];
        for (float[] f : features) {
            for (int d = 0; d < dim; d++) {
                mean[d] += f[d];
            }
        }
        for (int d = 0; d < dim; d++) {
            mean[d] /= n;
        }
        double[] pickedSum = new double[dim];
        boolean[] used = new boolean[n];
        int[] picked = new int[take];
        for (int k = 1; k <= take; k++) {
            int best = -1;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (used[i]) {
                    continue;
                }
                double distance = 0;
                float[] f = features[i];
                for (int d = 0; d < dim; d++) {
                    double diff = mean[d] - (pickedSum[d] + f[d]) / k;
                    distance += diff * diff;
                }
                if (distance < bestDistance) {
                    bestDistance = distance;
                    best = i;
                }
            }
            used[best] = true;
            picked[k - 1] = best;
            for (int d = 0; d < dim; d++) {
                pickedSum[d] += features[best][d];
            }
        }
        return picked;
    }
}
