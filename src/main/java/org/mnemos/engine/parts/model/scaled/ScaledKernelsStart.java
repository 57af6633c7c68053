package org.mnemos.engine.parts.model.scaled;

import java.util.function.Supplier;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.phase.NetworkHook;
import org.mnemos.engine.phase.PhaseHook;

/**
 * {@code model.scaledKernels}: phase 1 trains the scaled variant of phase 0's network (every
 * convolution a frozen kernel times a trainable (out, in, 1, 1) scale, initialised to 1), started
 * from phase 0's weights; later phases continue it. So from phase 1 on the kernels keep their phase-0
 * values and only the scales, BatchNorm and the head train, as the official mnemonics code's
 * {@code network_mtl} does (yaoyao-liu/mnemonics-training@987b46d {@code trainer/mnemonics.py:106},
 * {@code utils/conv2d_mtl.py}). The phase's network is built scaled by {@code IncrementalNet.builderFor}.
 */
public final class ScaledKernelsStart implements PhaseHook, NetworkHook {

    @Override
    public IncrementalNet startFrom(IncrementalNet previous, int phase, Supplier<IncrementalNet> rebuilt) {
        if (phase != 1) {
            return previous;
        }
        IncrementalNet scaled = rebuilt.get();
        scaled.startFrom(previous);
        return scaled;
    }
}
