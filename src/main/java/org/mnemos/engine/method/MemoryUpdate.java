package org.mnemos.engine.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSelector;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.MemoryBudget;

/**
 * The end-of-phase memory update shared by rehearsal methods: shrink each old class to its new
 * share (keeping the prefix of its priority order) and select the new classes' exemplars from
 * their training images with the configured selector under the current network.
 */
public final class MemoryUpdate {

    private final MemoryBudget budget;
    private final ExemplarSelector selector;

    public MemoryUpdate(MemoryBudget budget, ExemplarSelector selector) {
        this.budget = budget;
        this.selector = selector;
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
                    builder.add(previous.pixels(), i, label, previous.sourceIndices()[i], previous.kinds()[i]);
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
        return builder.build(train.height(), train.width(), train.channels());
    }

    private static final class Builder {
        private final int imageBytes;
        private final java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
        private final List<Integer> labels = new ArrayList<>();
        private final List<Integer> sources = new ArrayList<>();
        private final List<ExemplarKind> kinds = new ArrayList<>();

        Builder(int imageBytes) {
            this.imageBytes = imageBytes;
        }

        void add(byte[] from, int index, int label, int source, ExemplarKind kind) {
            pixels.write(from, index * imageBytes, imageBytes);
            labels.add(label);
            sources.add(source);
            kinds.add(kind);
        }

        ExemplarSet build(int h, int w, int c) {
            return new ExemplarSet(
                    pixels.toByteArray(),
                    labels.stream().mapToInt(Integer::intValue).toArray(),
                    sources.stream().mapToInt(Integer::intValue).toArray(),
                    kinds.toArray(ExemplarKind[]::new),
                    h,
                    w,
                    c);
        }
    }
}
