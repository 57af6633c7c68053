package org.mnemos.engine.parts.memory.mnemonics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.metrics.MnemonicsMetrics;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.model.Backbone;
import org.mnemos.engine.optim.Adam;
import org.mnemos.engine.optim.Gradients;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.optim.Sgd;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsOptions.Mode;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseProgress;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.util.Autograd;
import org.mnemos.engine.util.Permutations;
import org.mnemos.engine.util.Scalars;

/**
 * Mnemonics training of the exemplars after a phase's model is trained (Liu et al. 2020): the
 * herding-selected exemplars of the adjusted classes become parameters (in normalised input
 * space), and for each batch of the phase's real training data (new classes plus the old
 * exemplars) they take an optimiser step on {@link MnemonicsObjective}'s loss for the mode. The network is
 * frozen in evaluation mode; intensities are clipped to the valid pixel range after every step.
 */
public final class MnemonicsRefinement implements PhaseHook {

    public static final String STAGE = "mnemonics";
    /** Real images the outer loss is measured on before and after the stage (evenly spaced). */
    private static final int LOSS_SAMPLE = 2048;
    private static final int LOSS_BATCH = 256;
    private static final long REPORT_INTERVAL_NANOS = 250_000_000L;

    private final MnemonicsOptions options;
    private final ExemplarStorage storage;
    /** Steps of the current stage left out because their loss or gradient was not finite. */
    private long skipped;
    private MnemonicsMetrics report;

    public MnemonicsRefinement(MnemonicsOptions options, ExemplarStorage storage) {
        this.options = options;
        this.storage = storage;
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        return (long) options.epochs() * batchesPerEpoch(session.training().size(), session.spec().training().batchSize());
    }

    /** What this phase's stage did; null before it ran. */
    @Override
    public PartReport report(PhaseSession session) {
        return report;
    }

    private static int batchesPerEpoch(int samples, int batchSize) {
        return Math.max(1, (samples + batchSize - 1) / batchSize);
    }

    /** The selected exemplars with the adjusted ones optimised, kept at this refinement's storage. */
    public ExemplarSet refine(PhaseSession session, ExemplarSet selected, List<Integer> newClasses) {
        List<Integer> adjusted = new ArrayList<>();
        List<Integer> fixed = new ArrayList<>();
        for (int i = 0; i < selected.size(); i++) {
            (options.adjustOldClasses() || newClasses.contains(selected.labels()[i]) ? adjusted : fixed).add(i);
        }
        if (adjusted.isEmpty() || session.training().size() == 0) {
            return selected;
        }
        long start = System.nanoTime();
        float[] values = selected.floatValues();
        List<NDArray> frozen = freeze(session.net().backbone());
        try (NDManager stage = session.manager().newSubManager();
                DeviceDataset real = session.upload(session.training());
                Optimizer optimizer = optimizer()) {
            Context context = new Context(session, selected, values, adjusted, fixed, stage);
            double lossBefore = sampleLoss(context, real);
            long images = optimise(context, real, optimizer);
            double lossAfter = sampleLoss(context, real);
            float[] optimised = context.pixelValues();
            ExemplarKind[] kinds = selected.kinds().clone();
            int imageBytes = selected.imageBytes();
            for (int k = 0; k < adjusted.size(); k++) {
                int index = adjusted.get(k);
                System.arraycopy(optimised, k * imageBytes, values, index * imageBytes, imageBytes);
                kinds[index] = ExemplarKind.OPTIMIZED;
            }
            ExemplarSet result = selected.withValues(values, kinds, storage);
            float[] initial = selected.floatValues();
            float[] kept = result.floatValues();
            double change = 0;
            for (int index : adjusted) {
                for (int p = index * imageBytes; p < (index + 1) * imageBytes; p++) {
                    change += Math.abs(kept[p] - initial[p]);
                }
            }
            long steps = plannedSteps(session);
            double seconds = (System.nanoTime() - start) / 1e9;
            report = new MnemonicsMetrics(
                    options.mode().wireName(), adjusted.size(), steps, seconds,
                    seconds > 0 ? images / seconds : 0, change / ((double) adjusted.size() * imageBytes),
                    lossBefore, lossAfter, skipped);
            return result;
        } finally {
            frozen.forEach(array -> array.setRequiresGradient(true));
        }
    }

    /** Adam for the paper's objective; the published code's SGD (momentum 0.9, weight decay 5e-4) for its loop. */
    private Optimizer optimizer() {
        return options.mode() == Mode.CODE
                ? Sgd.builder().optMomentum(0.9f).optWeightDecay(5e-4f).build()
                : Adam.builder().build();
    }

    private NDArray loss(NDArray exemplarFeatures, Context context, NDArray queryFeatures, NDArray queryOneHot) {
        return options.mode() == Mode.CODE
                ? MnemonicsObjective.codeLoss(exemplarFeatures, context.exemplarOneHot, queryFeatures, queryOneHot)
                : MnemonicsObjective.outerLoss(exemplarFeatures, context.exemplarOneHot, queryFeatures, queryOneHot,
                        options.innerSteps(), options.innerLr(), options.mode() == Mode.FIRST_ORDER);
    }

    /** One optimiser step of the adjusted exemplars per batch of real data; returns the real images used. */
    private long optimise(Context context, DeviceDataset real, Optimizer optimizer) {
        PhaseSession session = context.session;
        PhaseProgress progress = session.loop().progress();
        int batchSize = session.spec().training().batchSize();
        int samples = real.size();
        int perEpoch = batchesPerEpoch(samples, batchSize);
        long totalSteps = (long) options.epochs() * perEpoch;
        Parameter exemplars = Parameter.builder().setName("mnemonics").setType(Parameter.Type.OTHER).build();
        exemplars.setArray(context.adjustedInputs);
        List<Parameter> trainable = List.of(exemplars);
        int[] order = new int[samples];
        for (int i = 0; i < samples; i++) {
            order[i] = i;
        }
        long startNanos = System.nanoTime();
        long lastReport = startNanos;
        long images = 0;
        skipped = 0;
        for (long step = 0; step < totalSteps; step++) {
            session.loop().checkCancelled();
            int inEpoch = (int) (step % perEpoch);
            if (inEpoch == 0) {
                Permutations.shuffle(order, session.rng());
            }
            int from = inEpoch * batchSize;
            int size = Math.min(batchSize, samples - from);
            long[] batchIndices = new long[size];
            for (int i = 0; i < size; i++) {
                batchIndices[i] = order[from + i];
            }
            float loss;
            try (NDManager batch = context.stage.newSubManager()) {
                NDArray indices = batch.create(batchIndices);
                NDArray inputs = session.trainTransform().apply(real.gather(indices), true, session.rng());
                NDArray queryFeatures = context.features(inputs);
                NDArray queryOneHot = real.gatherLabels(indices).oneHot(context.classes);
                Autograd.enable();
                NDArray outer;
                try {
                    outer = loss(context.exemplarFeatures(batch), context, queryFeatures, queryOneHot);
                    Autograd.backward(outer);
                } finally {
                    Autograd.disable();
                }
                loss = outer.getFloat();
                if (Float.isFinite(loss) && finite(context.adjustedInputs.getGradient(), batch)) {
                    optimizer.step(trainable, options.outerLr());
                    context.clip(batch);
                } else {
                    // a non-finite step would poison the exemplars and every later phase: leave them as they are
                    skipped++;
                }
                Gradients.zero(trainable);
            }
            images += size;
            progress.stepDone();
            long now = System.nanoTime();
            if (now - lastReport >= REPORT_INTERVAL_NANOS || step == totalSteps - 1) {
                lastReport = now;
                double seconds = (now - startNanos) / 1e9;
                progress.report(STAGE, (int) (step / perEpoch), options.epochs(), loss, seconds > 0 ? images / seconds : 0);
            }
        }
        progress.completeStage(images, (System.nanoTime() - startNanos) / 1e9);
        return images;
    }

    private static boolean finite(NDArray gradient, NDManager batch) {
        gradient.attach(batch);
        return !gradient.isNaN().logicalOr(gradient.isInfinite()).any().getBoolean();
    }

    /** The outer loss (no gradient) averaged over up to {@link #LOSS_SAMPLE} evenly spaced real images. */
    private double sampleLoss(Context context, DeviceDataset real) {
        int samples = real.size();
        int count = Math.min(LOSS_SAMPLE, samples);
        double total = 0;
        for (int from = 0; from < count; from += LOSS_BATCH) {
            int size = Math.min(LOSS_BATCH, count - from);
            long[] picked = new long[size];
            for (int i = 0; i < size; i++) {
                picked[i] = (long) (from + i) * samples / count;
            }
            try (NDManager batch = context.stage.newSubManager()) {
                NDArray indices = batch.create(picked);
                NDArray inputs = context.session.evalTransform().apply(real.gather(indices), false, context.session.rng());
                NDArray loss = loss(context.exemplarFeatures(batch), context, context.features(inputs),
                        real.gatherLabels(indices).oneHot(context.classes));
                total += loss.getFloat() * size;
            }
        }
        return total / count;
    }

    /** Stops gradients into the backbone for the stage (only the exemplars learn); returns what to restore. */
    private static List<NDArray> freeze(Backbone backbone) {
        List<NDArray> frozen = new ArrayList<>();
        for (Parameter parameter : backbone.getParameters().values()) {
            NDArray array = parameter.getArray();
            if (array != null && array.hasGradient()) {
                array.setRequiresGradient(false);
                frozen.add(array);
            }
        }
        return frozen;
    }

    /** The stage's arrays: the adjusted exemplars (the parameter), the fixed ones, labels and pixel range. */
    private static final class Context {
        final PhaseSession session;
        final NDManager stage;
        final int classes;
        final NDArray adjustedInputs;
        final NDArray fixedInputs;
        final NDArray exemplarOneHot;
        final NDArray lowest;
        final NDArray highest;
        final NDArray pixelScale;
        final NDArray pixelOffset;

        Context(PhaseSession session, ExemplarSet selected, float[] values, List<Integer> adjusted, List<Integer> fixed,
                NDManager stage) {
            this.session = session;
            this.stage = stage;
            this.classes = session.totalClasses();
            BatchTransform transform = session.evalTransform();
            // a contiguous copy, not the transform's transposed view: a view made with recording off
            // does not pass gradients back after requires_grad is set on it
            this.adjustedInputs = inputs(selected, values, adjusted).duplicate();
            this.fixedInputs = fixed.isEmpty() ? null : inputs(selected, values, fixed);
            long[] labels = new long[adjusted.size() + fixed.size()];
            int k = 0;
            for (List<Integer> part : List.of(adjusted, fixed)) {
                for (int index : part) {
                    labels[k++] = session.incrementalLabel(selected.labels()[index]);
                }
            }
            this.exemplarOneHot = stage.create(labels).oneHot(classes);
            int channels = selected.channels();
            float[] mean = transform.mean();
            float[] std = transform.std();
            float[] low = new float[channels];
            float[] high = new float[channels];
            float[] scale = new float[channels];
            float[] offset = new float[channels];
            for (int c = 0; c < channels; c++) {
                low[c] = -mean[c] / std[c];
                high[c] = (1f - mean[c]) / std[c];
                scale[c] = 255f * std[c];
                offset[c] = 255f * mean[c];
            }
            Shape perChannel = new Shape(1, channels, 1, 1);
            this.lowest = stage.create(low, perChannel);
            this.highest = stage.create(high, perChannel);
            this.pixelScale = stage.create(scale, perChannel);
            this.pixelOffset = stage.create(offset, perChannel);
            adjustedInputs.setRequiresGradient(true);
        }

        /** Normalised NCHW network inputs of some exemplars, in the stage's manager. */
        private NDArray inputs(ExemplarSet selected, float[] values, List<Integer> indices) {
            int imageBytes = selected.imageBytes();
            float[] picked = new float[indices.size() * imageBytes];
            for (int k = 0; k < indices.size(); k++) {
                System.arraycopy(values, indices.get(k) * imageBytes, picked, k * imageBytes, imageBytes);
            }
            NDArray nhwc = stage.create(picked, new Shape(indices.size(), selected.height(), selected.width(), selected.channels()));
            return session.evalTransform().apply(nhwc, false, session.rng());
        }

        /** Features of all exemplars (adjusted first), in {@code batch}; differentiable in the adjusted ones. */
        NDArray exemplarFeatures(NDManager batch) {
            // an (autograd-tracked) copy owned by the batch, so the graph of this step is freed with it;
            // DJL's duplicate() would detach it
            NDArray adjusted = Scalars.mul(adjustedInputs, 1f);
            adjusted.attach(batch);
            NDArray all = fixedInputs == null ? adjusted : NDArrays.concat(new NDList(adjusted, fixedInputs), 0);
            return features(all);
        }

        /** Backbone features in evaluation mode (batch normalisation uses its running statistics). */
        NDArray features(NDArray inputs) {
            return session.net().backbone().forward(session.parameterStore(), new NDList(inputs), false).head();
        }

        /** Clips the adjusted exemplars into the valid pixel range, per channel, in place. */
        void clip(NDManager batch) {
            NDArray raised = adjustedInputs.maximum(lowest);
            raised.attach(batch);
            NDArray clipped = raised.minimum(highest);
            adjustedInputs.muli(0f).addi(clipped);
        }

        /** The adjusted exemplars back in pixel scale, HWC. */
        float[] pixelValues() {
            try (NDManager scratch = stage.newSubManager()) {
                NDArray pixels = adjustedInputs.mul(pixelScale);
                pixels.attach(scratch);
                return pixels.add(pixelOffset).transpose(0, 2, 3, 1).toType(DataType.FLOAT32, false).toFloatArray();
            }
        }
    }
}
