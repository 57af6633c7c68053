package org.mnemos.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording for the calling thread. PyTorch's grad mode is thread-local, but DJL's
 * {@code PtGradientCollector} guards itself with a process-wide flag, which would forbid two
 * worker slots from training at once; so the trainer switches the thread's grad mode itself.
 */
public final class Autograd {

    static {
        // loads the native library before the first direct JNI call
        ai.djl.engine.Engine.getEngine("PyTorch");
    }

    private Autograd() {}

    /** Turns recording on for this thread; evaluation code must run after {@link #disable()}. */
    public static void enable() {
        JniUtils.setGradMode(true);
    }

    public static void disable() {
        JniUtils.setGradMode(false);
    }

    /** Back-propagates a scalar loss into the leaves' gradients (they accumulate until zeroed). */
    public static void backward(NDArray loss) {
        try (NDArray seed = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
    }
}
