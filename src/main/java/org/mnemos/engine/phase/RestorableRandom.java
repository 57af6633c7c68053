package org.mnemos.engine.phase;

import java.util.Random;

/**
 * {@link java.util.Random}, draw for draw, whose state a mid-phase checkpoint can read and put back
 * into the same instance (the session and the hooks hold it): Random's own state is private and a
 * deserialised copy would be another object. The linear congruential step and the polar Gaussian
 * are Random's (documented in its Javadoc); every other draw goes through {@link #next}.
 */
final class RestorableRandom extends Random {

    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xBL;
    private static final long MASK = (1L << 48) - 1;

    // set by Random's constructor through setSeed: no initialiser may overwrite them
    private long state;
    private boolean haveNextNextGaussian;
    private double nextNextGaussian;

    RestorableRandom(long seed) {
        super(seed);
    }

    @Override
    public synchronized void setSeed(long seed) {
        state = (seed ^ MULTIPLIER) & MASK;
        haveNextNextGaussian = false;
    }

    @Override
    protected synchronized int next(int bits) {
        state = (state * MULTIPLIER + ADDEND) & MASK;
        return (int) (state >>> (48 - bits));
    }

    @Override
    public synchronized double nextGaussian() {
        if (haveNextNextGaussian) {
            haveNextNextGaussian = false;
            return nextNextGaussian;
        }
        double v1;
        double v2;
        double s;
        do {
            v1 = 2 * nextDouble() - 1;
            v2 = 2 * nextDouble() - 1;
            s = v1 * v1 + v2 * v2;
        } while (s >= 1 || s == 0);
        double multiplier = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        nextNextGaussian = v2 * multiplier;
        haveNextNextGaussian = true;
        return v1 * multiplier;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(state, haveNextNextGaussian, nextNextGaussian);
    }

    synchronized void restore(Snapshot snapshot) {
        state = snapshot.state();
        haveNextNextGaussian = snapshot.haveNextNextGaussian();
        nextNextGaussian = snapshot.nextNextGaussian();
    }

    record Snapshot(long state, boolean haveNextNextGaussian, double nextNextGaussian) {}
}
