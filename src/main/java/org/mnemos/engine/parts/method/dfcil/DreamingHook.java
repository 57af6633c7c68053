package org.mnemos.engine.parts.method.dfcil;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.metrics.InversionMetrics;
import org.mnemos.engine.metrics.InversionPreconditions;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.StepHook;
import org.mnemos.engine.spec.InversionSpec;

/**
 * The data-free methods' generator across phases (ABD, DeepInversion): restores the generator and
 * its optimiser a previous phase saved and replays its dreams during training; after training (in
 * every phase but the last, as the authors' code), trains it to invert the new network; saves both
 * in the phase state, with a sample of dreams per predicted class for the synthetic download.
 */
public final class DreamingHook implements PhaseHook, StepHook {

    /** File of the dream sample in the phase state (the exemplar format, kind synthetic). */
    public static final String GALLERY_FILE = "dreams.bin";
    /** Dreams kept per predicted class for the download. */
    static final int GALLERY_PER_CLASS = 16;
    /** Dreams drawn per seen class to fill the gallery (classes the generator neglects stay short). */
    static final int GALLERY_DRAWS_PER_CLASS = 32;
    /** Dreams whose predicted classes measure the inversion's class coverage. */
    static final int COVERAGE_DREAMS = 256;

    /** Index of the BatchNorm-statistics term in the inversion's loss terms. */
    private static final int BN_TERM = 2;

    private final InversionSpec options;
    /** The generator whose dreams are replayed with every real batch of a stage that reads the previous network; null for none. */
    private ModelInversion dreams;

    private long replayNanos;
    private long replayStart;
    private InversionMetrics inverted;
    private int[] predictedCounts;
    private ExemplarSet gallery;

    public DreamingHook(InversionSpec options) {
        this.options = options;
    }

    @Override
    public void loadState(PhaseSession session, Path previousState) {
        dreams = ModelInversion.restore(
                options,
                session.channels(),
                session.inputHeight(),
                session.inputWidth(),
                session.manager(),
                previousState);
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        return session.isLastPhase() ? 0 : options.iterations();
    }

    @Override
    public void afterTraining(PhaseSession session) {
        if (session.isLastPhase()) {
            return;
        }
        if (dreams == null) {
            dreams = new ModelInversion(
                    options, session.channels(), session.inputHeight(), session.inputWidth(), session.manager());
        }
        ModelInversion inversion = dreams;
        IncrementalNet teacher = session.net().copy(session.manager());
        inverted = inversion.invert(teacher, session.totalClasses(), session.loop());
        predictedCounts = predictedCounts(session, inversion, teacher);
        gallery = gallery(session, inversion, teacher);
    }

    @Override
    public void saveState(PhaseSession session, Path stateDir) {
        if (dreams != null) {
            dreams.save(stateDir);
        }
        if (gallery != null) {
            try {
                gallery.write(stateDir.resolve(GALLERY_FILE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** With {@code replayBatchNorm: separate}, the student normalises the dreams apart from the real images. */
    @Override
    public boolean normalisesAppendedRowsApart() {
        return dreams != null && options.separatesReplayBatchNorm();
    }

    /** As many dreams as real images, appended to the batch. */
    @Override
    public NDArray extendInputs(NDArray inputs, int realRows) {
        if (dreams == null) {
            return inputs;
        }
        replayStart = System.nanoTime();
        return inputs.concat(dreams.sample(realRows, inputs.getManager()), 0);
    }

    /** The dreams labelled by the previous network's prediction over the old classes. */
    @Override
    public NDArray extendTargets(NDArray targets, NDList reference, int realRows, int oldClasses) {
        if (dreams == null) {
            return targets;
        }
        NDArray dreamedLabels =
                reference.head().get("{}:, 0:{}", realRows, oldClasses).argMax(1);
        NDArray extended = targets.concat(dreamedLabels.toType(targets.getDataType(), false), 0);
        replayNanos += System.nanoTime() - replayStart;
        return extended;
    }

    /** The inversion after training, with the replay's share of this phase's training added; null without dreams. */
    @Override
    public PartReport report(PhaseSession session) {
        double replaySeconds = replayNanos / 1e9;
        if (inverted == null) {
            return dreams == null ? null : new InversionMetrics(0, 0, 0, replaySeconds, null, null, null);
        }
        InversionPreconditions preconditions = InversionPreconditions.of(
                session.accuracy(), predictedCounts, inverted.firstLoss()[BN_TERM], inverted.lastLoss()[BN_TERM]);
        return new InversionMetrics(
                inverted.iterations(),
                inverted.batchSize(),
                inverted.seconds(),
                replaySeconds,
                inverted.firstLoss(),
                inverted.lastLoss(),
                preconditions);
    }

    /** How many of {@value #COVERAGE_DREAMS} dreams, drawn as the replay draws them, the inverted network predicts as each class. */
    private static int[] predictedCounts(PhaseSession session, ModelInversion inversion, IncrementalNet teacher) {
        int seen = session.totalClasses();
        int[] counts = new int[seen];
        try (NDManager sample = session.manager().newSubManager()) {
            NDArray dreams = inversion.sample(COVERAGE_DREAMS, sample);
            NDArray logits = teacher.forward(session.parameterStore(), new NDList(dreams), false)
                    .head();
            for (long label : logits.get(":, 0:{}", seen).argMax(1).toLongArray()) {
                counts[(int) label]++;
            }
        }
        return counts;
    }

    /**
     * Up to {@link #GALLERY_PER_CLASS} dreams per class the frozen network predicts for them, as
     * pixel intensities (the inverse of the evaluation normalisation) with their exact float values.
     */
    private static ExemplarSet gallery(PhaseSession session, ModelInversion inversion, IncrementalNet teacher) {
        int seen = session.totalClasses();
        int h = session.inputHeight();
        int w = session.inputWidth();
        int c = session.channels();
        float[] mean = session.evalTransform().mean();
        float[] std = session.evalTransform().std();
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int[] kept = new int[seen];
        try (NDManager sample = session.manager().newSubManager()) {
            NDArray dreams = inversion.sample(seen * GALLERY_DRAWS_PER_CLASS, sample);
            NDArray logits = teacher.forward(session.parameterStore(), new NDList(dreams), false)
                    .head();
            long[] predicted = logits.get(":, 0:{}", seen).argMax(1).toLongArray();
            // NCHW normalised → HWC pixel scale
            float[] pixels = dreams.transpose(0, 2, 3, 1).toFloatArray();
            int size = h * w * c;
            for (int i = 0; i < predicted.length; i++) {
                int label = (int) predicted[i];
                if (kept[label] == GALLERY_PER_CLASS) {
                    continue;
                }
                kept[label]++;
                float[] image = new float[size];
                for (int j = 0; j < size; j++) {
                    int channel = j % c;
                    image[j] = (pixels[i * size + j] * std[channel] + mean[channel]) * 255f;
                }
                images.add(image);
                labels.add(label);
            }
        }
        // ordered by class, then by draw
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Integer.compare(labels.get(a), labels.get(b)));
        int n = order.size();
        int size = h * w * c;
        float[] values = new float[n * size];
        int[] originalLabels = new int[n];
        int[] sources = new int[n];
        ExemplarKind[] kinds = new ExemplarKind[n];
        for (int k = 0; k < n; k++) {
            int i = order.get(k);
            System.arraycopy(images.get(i), 0, values, k * size, size);
            originalLabels[k] = session.originalLabel(labels.get(i));
            sources[k] = -1;
            kinds[k] = ExemplarKind.SYNTHETIC;
        }
        return new ExemplarSet(new byte[n * size], originalLabels, sources, kinds, h, w, c)
                .withValues(values, kinds, ExemplarStorage.FLOAT32);
    }
}
