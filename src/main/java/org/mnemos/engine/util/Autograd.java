package org.mnemos.engine.util;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient recording for the calling thread. PyTorch's grad mode is thread-local, but DJL's
 * {@code PtGradientCollector} guards itself with a process-wide flag, which would forbid two
 * worker slots from training at once; so the trainer switches the thread's grad mode itself.
 */
public final class Autograd {

    /** The list name that makes DJL pass the arrays to TorchScript as one {@code List[Tensor]}. */
    private static final String TENSOR_LIST = "tensors[]";

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

    /**
     * {@code torch.autograd.grad(output, inputs, create_graph=True)}: the gradients of a scalar with
     * respect to {@code inputs}, themselves differentiable, returned rather than accumulated into
     * the inputs' {@code .grad}. Call with recording on; the graph of {@code output} is kept.
     *
     * <p>Why not {@code backward(create_graph)} and {@code getGradient()}: the gradient stored on a
     * leaf then holds a graph that points back at that leaf, a reference cycle libtorch never
     * frees, so every second-order step (Mnemonics, CIM) leaked its weights and graph. DJL's JNI
     * has no {@code autograd.grad}, so it runs as a TorchScript function
     * ({@code src/main/scripts/make-autograd-grad.py}). The result lives in {@code output}'s manager.
     */
    public static List<NDArray> gradients(NDArray output, List<NDArray> inputs) {
        NDList arguments = new NDList(inputs.size() + 1);
        arguments.add(output);
        arguments.addAll(inputs);
        String[] names = new String[arguments.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = arguments.get(i).getName();
            arguments.get(i).setName(TENSOR_LIST);
        }
        try {
            // training mode: the call runs under this thread's grad mode, not DJL's inference guard
            NDList gradients = IValueUtils.forward(GradFunction.BLOCK, arguments, true);
            return new ArrayList<>(gradients);
        } finally {
            for (int i = 0; i < names.length; i++) {
                arguments.get(i).setName(names[i]);
            }
        }
    }

    /** The TorchScript module, loaded once per process; it holds no tensors, so its device is moot. */
    private static final class GradFunction {
        private static final PtSymbolBlock BLOCK = load();

        private static PtSymbolBlock load() {
            try (InputStream in = Autograd.class.getResourceAsStream("autograd-grad.pt")) {
                if (in == null) {
                    throw new IllegalStateException("autograd-grad.pt is missing from the class path");
                }
                PtNDManager owner = (PtNDManager) NDManager.newBaseManager(Device.cpu(), "PyTorch");
                return JniUtils.loadModule(owner, in, false, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
