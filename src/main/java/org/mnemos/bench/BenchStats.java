package org.mnemos.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The statistics the bench tables print: mean ± sample standard deviation over seeds, and paired
 * differences over seeds with their 95 % interval (Student's t at n − 1 degrees of freedom), and the
 * machine's load average, printed with a table to show it was taken on a quiet machine.
 */
final class BenchStats {

    /** Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom. */
    private static final double[] T_975 = {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
    };

    private BenchStats() {}

    /**
     * The mean of paired differences and the half-width of its 95 % t-interval (NaN for one pair).
     *
     * @param n the number of pairs
     */
    record PairedDifference(int n, double mean, double halfWidth) {

        double low() {
            return mean - halfWidth;
        }

        double high() {
            return mean + halfWidth;
        }

        /** {@code +m [+lo, +hi]}, or {@code +m (n = 1, no interval)}, with {@code decimals} digits. */
        String format(int decimals) {
            String number = "%+." + decimals + "f";
            return n < 2
                    ? String.format(Locale.ROOT, number + " (n = 1, no interval)", mean)
                    : String.format(Locale.ROOT, number + " [" + number + ", " + number + "]", mean, low(), high());
        }
    }

    /** {@code a[i] − b[i]} over the pairs {@code i}: the mean and its 95 % t-interval. */
    static PairedDifference paired(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("unpaired: " + a.length + " against " + b.length + " values");
        }
        double[] differences = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            differences[i] = a[i] - b[i];
        }
        return paired(differences);
    }

    /** The mean of {@code differences} and its 95 % t-interval. */
    static PairedDifference paired(double[] differences) {
        int n = differences.length;
        double mean = mean(differences);
        double half = n < 2 ? Double.NaN : t975(n - 1) * sampleStd(differences) / Math.sqrt(n);
        return new PairedDifference(n, mean, half);
    }

    /** Student's t 0.975 quantile; beyond 30 degrees of freedom, 30's (slightly wide). */
    static double t975(int degreesOfFreedom) {
        if (degreesOfFreedom < 1) {
            throw new IllegalArgumentException("degrees of freedom must be at least 1, got " + degreesOfFreedom);
        }
        return T_975[Math.min(degreesOfFreedom, T_975.length) - 1];
    }

    static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n − 1); 0 for a single value. */
    static double sampleStd(double[] values) {
        double mean = mean(values);
        double squares = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(squares / Math.max(values.length - 1, 1));
    }

    /** {@code mean ± std} with {@code decimals} digits. */
    static String meanStd(double[] values, int decimals) {
        String number = "%." + decimals + "f";
        return String.format(Locale.ROOT, number + " ± " + number, mean(values), sampleStd(values));
    }

    static String meanStd(List<Double> values, int decimals) {
        return meanStd(values.stream().mapToDouble(Double::doubleValue).toArray(), decimals);
    }

    /** The machine's load averages as /proc/loadavg gives them. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
