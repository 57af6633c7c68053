package org.mnemos.engine.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSelector;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.memory.MnemonicsOptions;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.memory.MemoryBudget;

/**
 * The end-of-phase memory update shared by rehearsal methods: shrink each old class to its new
 * share (keeping the prefix of its priority order) and select the new classes' exemplars from
 * their training images with the configured selector under the current network, then, for
 * mnemonics, optimise the exemplars ({@link MnemonicsRefinement}).
 */
public final class MemoryUpdate {

    private final MemoryBudget budget;
    private final ExemplarSelector selector;
    private final MnemonicsRefinement refinement;

    public MemoryUpdate(MemoryBudget budget, ExemplarSelector selector) {
        this(budget, selector, null);
    }

    /** @param refinement optimises the selected exemplars afterwards (mnemonics), or null */
    public MemoryUpdate(MemoryBudget budget, ExemplarSelector selector, MnemonicsRefinement refinement) {
        this.budget = budget;
        this.selector = selector;
        this.refinement = refinement;
    }

    /** The update a memory spec describes: its budget, its selector, and mnemonics training when selected. */
    public static MemoryUpdate of(MemorySpec spec) {
        MnemonicsRefinement refinement = ExemplarSelector.MNEMONICS.equals(spec.selector())
                ? new MnemonicsRefinement(MnemonicsOptions.of(spec), ExemplarStorage.named(spec.storageOrDefault()))
                : null;
        return new MemoryUpdate(MemoryBudget.of(spec), ExemplarSelector.named(spec.selector()), refinement);
    }

    /**
     * @param oldOrder original labels of the old classes, in class order
     * @param newClasses original labels learned in this phase
     */
    public ExemplarSet update(
            PhaseSession session, ImageDataset train, List<Integer> oldOrder, List<Integer> newClasses, Random rng) {
        ExemplarSet previous = session.memory();
        int perClass = budget.perClassFor(oldOrder.size() + newClasses.size());
        int imageBytes = train.imageBytes();
        Builder builder = new Builder(imageBytes);
        for (int label : oldOrder) {
            int kept = 0;
            for (int i = 0; i < previous.size() && kept < perClass; i++) {
                if (previous.labels()[i] == label) {
                    builder.add(previous, i);
                    kept++;
                }
            }
        }
        for (int label : newClasses) {
            int[] candidates = train.indicesOfLabels(List.of(label));
            ImageDataset images = train.subset(candidates);
            Samples samples = new Samples(images.pixels(), new int[candidates.length], imageBytes);
            float[][] features = session.features(samples);
            for (int chosen : selector.select(features, perClass, rng)) {
                builder.add(images.pixels(), chosen, label, candidates[chosen], ExemplarKind.REAL);
            }
        }
        ExemplarSet selected = builder.build(train.height(), train.width(), train.channels(), previous.storage());
        return refinement == null ? selected : refinement.refine(session, selected, newClasses);
    }

    /** Extra steps the refinement will take this phase, for progress reporting. */
    public long plannedSteps(PhaseSession session) {
        return refinement == null ? 0 : refinement.plannedSteps(session);
    }

    /** Collects exemplars; float intensities are kept when any kept exemplar has them. */
    private static final class Builder {
        private final int imageBytes;
        private final java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
        private final List<float[]> values = new ArrayList<>();
        private final List<Integer> labels = new ArrayList<>();
        private final List<Integer> sources = new ArrayList<>();
        private final List<ExemplarKind> kinds = new ArrayList<>();
        private boolean anyFloat;

        Builder(int imageBytes) {
            this.imageBytes = imageBytes;
        }

        void add(byte[] from, int index, int label, int source, ExemplarKind kind) {
            pixels.write(from, index * imageBytes, imageBytes);
            float[] widened = new float[imageBytes];
            for (int i = 0; i < imageBytes; i++) {
                widened[i] = from[index * imageBytes + i] & 0xff;
            }
            values.add(widened);
            labels.add(label);
            sources.add(source);
            kinds.add(kind);
        }

        void add(ExemplarSet from, int index) {
            add(from.pixels(), index, from.labels()[index], from.sourceIndices()[index], from.kinds()[index]);
            if (from.values() != null) {
                System.arraycopy(from.values(), index * imageBytes, values.get(values.size() - 1), 0, imageBytes);
                anyFloat = true;
            }
        }

        ExemplarSet build(int h, int w, int c, ExemplarStorage storage) {
            float[] held = null;
            if (anyFloat) {
                held = new float[values.size() * imageBytes];
                for (int i = 0; i < values.size(); i++) {
                    System.arraycopy(values.get(i), 0, held, i * imageBytes, imageBytes);
                }
            }
            return new ExemplarSet(
                    pixels.toByteArray(),
                    labels.stream().mapToInt(Integer::intValue).toArray(),
                    sources.stream().mapToInt(Integer::intValue).toArray(),
                    kinds.toArray(ExemplarKind[]::new),
                    h,
                    w,
                    c,
                    held,
                    anyFloat ? storage : ExemplarStorage.UINT8);
        }
    }
}
