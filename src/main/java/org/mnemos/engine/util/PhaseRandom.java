package org.mnemos.engine.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * The random tensors of the phase running on this thread (initialisation, latent draws). DJL's
 * random ops take no generator: they all draw from PyTorch's one generator per process, which two
 * phases running at once on a two-slot worker would share, each phase's numbers then depending on
 * how the other's draws interleave with its own. A phase therefore binds its own generator, seeded
 * from (spec seed, phase index), and every tensor it draws is drawn here on the host and copied to
 * the manager's device. Outside a binding (a block's unit test, a network built only to load saved
 * weights into) the draws fall back to the engine's generator.
 */
public final class PhaseRandom {

    private static final ThreadLocal<SplitMix> BOUND = new ThreadLocal<>();

    private PhaseRandom() {}

    /** Binds a generator seeded with {@code seed} to this thread until the binding is closed. */
    public static Binding bind(long seed) {
        SplitMix previous = BOUND.get();
        BOUND.set(new SplitMix(seed));
        return () -> {
            if (previous == null) {
                BOUND.remove();
            } else {
                BOUND.set(previous);
            }
        };
    }

    /** Whether a phase's generator is bound to this thread. */
    public static boolean isBound() {
        return BOUND.get() != null;
    }

    /** The bound generator's state, for a mid-phase checkpoint. */
    public static long state() {
        return bound().seed;
    }

    /** Puts back a state {@link #state()} returned: the draws continue from there. */
    public static void restore(long state) {
        bound().seed = state;
    }

    private static SplitMix bound() {
        SplitMix rng = BOUND.get();
        if (rng == null) {
            throw new IllegalStateException("no phase generator is bound to this thread");
        }
        return rng;
    }

    /** N(mean, std²) in {@code manager}, on its device. */
    public static NDArray normal(NDManager manager, float mean, float std, Shape shape, DataType dataType) {
        SplitMix rng = BOUND.get();
        if (rng == null) {
            return manager.randomNormal(mean, std, shape, dataType, manager.getDevice());
        }
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (mean + std * rng.nextGaussian());
        }
        return typed(manager.create(values, shape), dataType);
    }

    /** U(low, high) in {@code manager}, on its device. */
    public static NDArray uniform(NDManager manager, float low, float high, Shape shape, DataType dataType) {
        SplitMix rng = BOUND.get();
        if (rng == null) {
            return manager.randomUniform(low, high, shape, dataType, manager.getDevice());
        }
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (low + (high - (double) low) * rng.nextDouble());
        }
        return typed(manager.create(values, shape), dataType);
    }

    private static NDArray typed(NDArray values, DataType dataType) {
        return values.getDataType() == dataType ? values : values.toType(dataType, false);
    }

    /**
     * {@link java.util.SplittableRandom}{@code (seed)}, draw for draw (SplitMix64 with its golden
     * gamma; Gaussians and doubles by RandomGenerator's defaults from {@link #nextLong}), with a
     * state a checkpoint can read: SplittableRandom's is private.
     */
    private static final class SplitMix implements RandomGenerator {
        private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
        private long seed;

        SplitMix(long seed) {
            this.seed = seed;
        }

        @Override
        public long nextLong() {
            long z = (seed += GOLDEN_GAMMA);
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }

    /** Restores the thread's previous generator (none, outside a phase). */
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }
}
