package org.mnemos.engine.metrics;

/**
 * Whether the replay a model inversion prepares can work, measured in the phase that inverts: the
 * inverted network's accuracy, the classes it predicts for freshly drawn dreams (drawn as the next
 * phase's replay draws them), and whether the BatchNorm-statistics term fell over the inversion.
 *
 * @param teacherAccuracy the phase's test accuracy, which is the inverted network's
 * @param dreams how many dreams were classified
 * @param classShares the share of those dreams the inverted network predicts as each of its classes
 *     (incremental order)
 * @param classesDreamed how many classes got at least one dream
 * @param largestShare the largest of {@code classShares}
 * @param coverageHolds every class got a dream and none more than twice its fair share (2/K: 40 % of 5 classes)
 * @param bnTermFirst the weighted BatchNorm term averaged over the first 10 % of the inversion's steps
 * @param bnTermLast the same over the last 10 %
 * @param bnTermFell {@code bnTermLast < bnTermFirst}
 */
public record InversionPreconditions(
        double teacherAccuracy,
        int dreams,
        double[] classShares,
        int classesDreamed,
        double largestShare,
        boolean coverageHolds,
        double bnTermFirst,
        double bnTermLast,
        boolean bnTermFell) {

    /** The share above which one class crowds the others out: twice the uniform share. */
    public static double shareLimit(int classes) {
        return 2.0 / classes;
    }

    /** The preconditions from the dreams' predicted classes and the BatchNorm term's first and last averages. */
    public static InversionPreconditions of(
            double teacherAccuracy, int[] predictedCounts, double bnTermFirst, double bnTermLast) {
        int dreams = 0;
        for (int count : predictedCounts) {
            dreams += count;
        }
        double[] shares = new double[predictedCounts.length];
        int dreamed = 0;
        double largest = 0;
        for (int c = 0; c < predictedCounts.length; c++) {
            shares[c] = dreams == 0 ? 0 : predictedCounts[c] / (double) dreams;
            dreamed += predictedCounts[c] > 0 ? 1 : 0;
            largest = Math.max(largest, shares[c]);
        }
        boolean coverage = dreamed == predictedCounts.length && largest <= shareLimit(predictedCounts.length);
        return new InversionPreconditions(
                teacherAccuracy,
                dreams,
                shares,
                dreamed,
                largest,
                coverage,
                bnTermFirst,
                bnTermLast,
                bnTermLast < bnTermFirst);
    }
}
