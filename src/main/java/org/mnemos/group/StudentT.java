package org.mnemos.group;

/**
 * Student's t distribution with an integer number of degrees of freedom, as the paired-difference
 * intervals need it (n - 1 for n seeds). The distribution function uses the exact finite series for
 * integer degrees of freedom (Abramowitz & Stegun 26.7.3 and 26.7.4, in θ = atan(t / √ν)), which
 * needs no gamma or incomplete beta function; the quantile inverts it by bisection to the last bit.
 */
final class StudentT {

    private StudentT() {}

    /** P(T ≤ t) for ν = {@code degrees} degrees of freedom. */
    static double cdf(double t, int degrees) {
        if (degrees < 1) {
            throw new IllegalArgumentException("degrees of freedom must be at least 1, not " + degrees);
        }
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return t > 0 ? 1 : 0;
        }
        double central = centralProbability(Math.abs(t), degrees);
        return t >= 0 ? 0.5 + central / 2 : 0.5 - central / 2;
    }

    /** A(t | ν) = P(|T| ≤ t) for t ≥ 0. */
    private static double centralProbability(double t, int degrees) {
        double theta = Math.atan(t / Math.sqrt(degrees));
        double sin = Math.sin(theta);
        double cos = Math.cos(theta);
        double cos2 = cos * cos;
        if (degrees % 2 == 1) {
            // 2/π [θ + sinθ cosθ (1 + 2/3 cos²θ + 2·4/(3·5) cos⁴θ + … up to cos^(ν-3)θ)]
            double series = 0;
            if (degrees > 1) {
                double term = 1;
                series = 1;
                for (int k = 3; k <= degrees - 2; k += 2) {
                    term *= cos2 * (k - 1) / k;
                    series += term;
                }
            }
            return 2 / Math.PI * (theta + sin * cos * series);
        }
        // sinθ (1 + 1/2 cos²θ + 1·3/(2·4) cos⁴θ + … up to cos^(ν-2)θ)
        double term = 1;
        double series = 1;
        for (int k = 2; k <= degrees - 2; k += 2) {
            term *= cos2 * (k - 1) / k;
            series += term;
        }
        return sin * series;
    }

    /** The t with P(T ≤ t) = p, for 0 < p < 1. */
    static double quantile(double p, int degrees) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must lie strictly between 0 and 1, not " + p);
        }
        if (p < 0.5) {
            return -quantile(1 - p, degrees);
        }
        double low = 0;
        double high = 1;
        while (cdf(high, degrees) < p) {
            low = high;
            high *= 2;
        }
        // bisect until the bracket cannot shrink any more in double precision
        while (true) {
            double mid = low + (high - low) / 2;
            if (mid <= low || mid >= high) {
                return cdf(high, degrees) - p <= p - cdf(low, degrees) ? high : low;
            }
            if (cdf(mid, degrees) < p) {
                low = mid;
            } else {
                high = mid;
            }
        }
    }
}
