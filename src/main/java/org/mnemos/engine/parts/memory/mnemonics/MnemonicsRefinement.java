package org.mnemos.engine.parts.memory.mnemonics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.metrics.MnemonicsMetrics;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.model.Backbone;
import org.mnemos.engine.phase.OuterLoop;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.util.Permutations;
import org.mnemos.engine.util.Scalars;

/**
 * Mnemonics training of the exemplars after a phase's model is trained (Liu et al. 2020): the
 * herding-selected exemplars of the adjusted classes become parameters (in normalised input
 * space), and for each batch of the phase's real training data (new classes plus the old
 * exemplars) they take an {@link ExemplarOptimizer} step. The network is frozen in evaluation mode.
 *
 * <p>In the paper-style modes a share of the real data is held out of the optimisation: the stage's
 * result is kept only if the outer loss on the held-out data falls, otherwise the memory keeps the
 * herding picks (the report says which).
 */
public final class MnemonicsRefinement implements PhaseHook {

    public static final String STAGE = "mnemonics";
    /** Real images the outer loss is measured on before and after the stage (evenly spaced). */
    private static final int LOSS_SAMPLE = 2048;

    private static final int LOSS_BATCH = 256;

    private final MnemonicsOptions options;
    private final ExemplarStorage storage;
    /** Steps of the current stage left out because their loss or exemplar gradient was not finite. */
    private long skippedSteps;

    private MnemonicsMetrics report;

    public MnemonicsRefinement(MnemonicsOptions options, ExemplarStorage storage) {
        this.options = options;
        this.storage = storage;
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        int samples = session.training().size();
        return (long) options.epochs()
                * batchesPerEpoch(
                        samples - heldOutCount(samples),
                        session.spec().training().batchSize());
    }

    /** What this phase's stage did; null before it ran. */
    @Override
    public PartReport report(PhaseSession session) {
        return report;
    }

    private static int batchesPerEpoch(int samples, int batchSize) {
        return Math.max(1, (samples + batchSize - 1) / batchSize);
    }

    /** Real images held out of the optimisation for the acceptance (none in the code mode). */
    private int heldOutCount(int samples) {
        return (int) Math.floor(samples * options.heldOutFraction());
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
                DeviceDataset real = session.upload(session.training())) {
            Context context = new Context(session, selected, values, adjusted, fixed, stage);
            int[] order = new int[real.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            int heldOutCount = heldOutCount(order.length);
            if (heldOutCount > 0) {
                Permutations.shuffle(order, session.rng());
            }
            int[] heldOut = Arrays.copyOfRange(order, 0, heldOutCount);
            int[] fit = Arrays.copyOfRange(order, heldOutCount, order.length);
            Arrays.sort(heldOut);
            Arrays.sort(fit);
            long images;
            double lossBefore;
            double lossAfter;
            Double heldOutBefore = null;
            Double heldOutAfter = null;
            try (ExemplarOptimizer optimizer = context.optimizer(options)) {
                lossBefore = sampleLoss(context, optimizer, real, fit);
                heldOutBefore = heldOutCount > 0 ? sampleLoss(context, optimizer, real, heldOut) : null;
                OuterLoop.Result optimised = optimise(context, optimizer, real, fit);
                images = optimised.images();
                lossAfter = sampleLoss(context, optimizer, real, fit);
                heldOutAfter = heldOutCount > 0 ? sampleLoss(context, optimizer, real, heldOut) : null;
                skippedSteps = optimised.skipped();
            }
            boolean accepted = heldOutBefore == null || heldOutAfter < heldOutBefore;
            float[] optimised = context.pixelValues();
            ExemplarKind[] kinds = selected.kinds().clone();
            int imageBytes = selected.imageBytes();
            float[] initial = selected.floatValues();
            float[] candidate = values.clone();
            for (int k = 0; k < adjusted.size(); k++) {
                int index = adjusted.get(k);
                System.arraycopy(optimised, k * imageBytes, candidate, index * imageBytes, imageBytes);
                if (accepted) {
                    kinds[index] = ExemplarKind.OPTIMIZED;
                }
            }
            // what the stage produced, at the storage it would be kept at (also when it is not kept)
            float[] stored = selected.withValues(candidate, kinds, storage).floatValues();
            double change = 0;
            double largest = 0;
            for (int index : adjusted) {
                for (int p = index * imageBytes; p < (index + 1) * imageBytes; p++) {
                    double delta = Math.abs(stored[p] - initial[p]);
                    change += delta;
                    largest = Math.max(largest, delta);
                }
            }
            long steps = (long) options.epochs()
                    * batchesPerEpoch(fit.length, session.spec().training().batchSize());
            double seconds = (System.nanoTime() - start) / 1e9;
            report = new MnemonicsMetrics(
                    options.mode().wireName(),
                    adjusted.size(),
                    steps,
                    seconds,
                    seconds > 0 ? images / seconds : 0,
                    change / ((double) adjusted.size() * imageBytes),
                    largest,
                    lossBefore,
                    lossAfter,
                    heldOutBefore,
                    heldOutAfter,
                    accepted,
                    skippedSteps);
            return selected.withValues(accepted ? candidate : values, kinds, storage);
        } finally {
            frozen.forEach(array -> array.setRequiresGradient(true));
        }
    }

    /**
     * One optimiser step of the adjusted exemplars per batch of the real data at {@code fit}; a step
     * whose loss or gradient is not finite is left out, since it would poison the exemplars and every
     * later phase.
     */
    private OuterLoop.Result optimise(Context context, ExemplarOptimizer optimizer, DeviceDataset real, int[] fit) {
        PhaseSession session = context.session;
        int batchSize = session.spec().training().batchSize();
        int samples = fit.length;
        int perEpoch = batchesPerEpoch(samples, batchSize);
        long totalSteps = (long) options.epochs() * perEpoch;
        int[] order = fit.clone();
        OuterLoop loop = OuterLoop.reporting(session.loop(), STAGE, OuterLoop.NonFinite.SKIP)
                .epochs(perEpoch, options.epochs());
        return loop.run(totalSteps, step -> {
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
                loss = optimizer.step(batch, inputs, real.gatherLabels(indices).oneHot(context.classes), step, loop);
            }
            return new OuterLoop.Done(loss, size);
        });
    }

    /** The outer loss (no gradient) averaged over up to {@link #LOSS_SAMPLE} evenly spaced images of {@code subset}. */
    private static double sampleLoss(Context context, ExemplarOptimizer optimizer, DeviceDataset real, int[] subset) {
        int samples = subset.length;
        int count = Math.min(LOSS_SAMPLE, samples);
        double total = 0;
        for (int from = 0; from < count; from += LOSS_BATCH) {
            int size = Math.min(LOSS_BATCH, count - from);
            long[] picked = new long[size];
            for (int i = 0; i < size; i++) {
                picked[i] = subset[(int) ((long) (from + i) * samples / count)];
            }
            try (NDManager batch = context.stage.newSubManager()) {
                NDArray indices = batch.create(picked);
                NDArray inputs =
                        context.session.evalTransform().apply(real.gather(indices), false, context.session.rng());
                total +=
                        optimizer.loss(batch, inputs, real.gatherLabels(indices).oneHot(context.classes)) * size;
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

    /** The stage's arrays: the adjusted exemplars, the fixed ones, labels and pixel range. */
    private static final class Context {
        final PhaseSession session;
        final NDManager stage;
        final int classes;
        final NDArray adjustedInputs;
        final NDArray fixedInputs;
        final NDArray exemplarOneHot;
        final NDArray lowest;
        final NDArray highest;
        final NDArray levelSize;
        final NDArray pixelScale;
        final NDArray pixelOffset;

        Context(
                PhaseSession session,
                ExemplarSet selected,
                float[] values,
                List<Integer> adjusted,
                List<Integer> fixed,
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
            float[] level = new float[channels];
            float[] scale = new float[channels];
            float[] offset = new float[channels];
            for (int c = 0; c < channels; c++) {
                low[c] = -mean[c] / std[c];
                high[c] = (1f - mean[c]) / std[c];
                level[c] = 1f / (255f * std[c]);
                scale[c] = 255f * std[c];
                offset[c] = 255f * mean[c];
            }
            Shape perChannel = new Shape(1, channels, 1, 1);
            this.lowest = stage.create(low, perChannel);
            this.highest = stage.create(high, perChannel);
            this.levelSize = stage.create(level, perChannel);
            this.pixelScale = stage.create(scale, perChannel);
            this.pixelOffset = stage.create(offset, perChannel);
        }

        /** The optimiser of the adjusted exemplars, their displacement bounded by the options' grey levels. */
        ExemplarOptimizer optimizer(MnemonicsOptions options) {
            NDArray bound = Float.isFinite(options.maxChange()) ? Scalars.mul(levelSize, options.maxChange()) : null;
            return new ExemplarOptimizer(
                    options, adjustedInputs, fixedInputs, exemplarOneHot, lowest, highest, bound, this::features);
        }

        /** Normalised NCHW network inputs of some exemplars, in the stage's manager. */
        private NDArray inputs(ExemplarSet selected, float[] values, List<Integer> indices) {
            int imageBytes = selected.imageBytes();
            float[] picked = new float[indices.size() * imageBytes];
            for (int k = 0; k < indices.size(); k++) {
                System.arraycopy(values, indices.get(k) * imageBytes, picked, k * imageBytes, imageBytes);
            }
            NDArray nhwc = stage.create(
                    picked, new Shape(indices.size(), selected.height(), selected.width(), selected.channels()));
            return session.evalTransform().apply(nhwc, false, session.rng());
        }

        /** Backbone features in evaluation mode (batch normalisation uses its running statistics). */
        NDArray features(NDArray inputs) {
            return session.net()
                    .backbone()
                    .forward(session.parameterStore(), new NDList(inputs), false)
                    .head();
        }

        /** The adjusted exemplars back in pixel scale, HWC. */
        float[] pixelValues() {
            try (NDManager scratch = stage.newSubManager()) {
                NDArray pixels = adjustedInputs.mul(pixelScale);
                pixels.attach(scratch);
                return pixels.add(pixelOffset)
                        .transpose(0, 2, 3, 1)
                        .toType(DataType.FLOAT32, false)
                        .toFloatArray();
            }
        }
    }
}
