package org.mnemos.engine.parts.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.CompressedImage;
import org.mnemos.engine.memory.ExemplarCompression;
import org.mnemos.engine.memory.ExemplarHeatmaps;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSelector;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.memory.MemoryBudget;
import org.mnemos.engine.metrics.MemoryMetrics;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.parts.memory.cim.CimTraining;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsRefinement;
import org.mnemos.engine.phase.MemoryPolicy;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;
import org.mnemos.engine.spec.MemorySpec;

/**
 * The end-of-phase memory update shared by rehearsal methods: shrink each old class to its new
 * share (keeping the prefix of its priority order) and select the new classes' exemplars from
 * their training images with the configured selector under the current network, then, for
 * mnemonics, optimise the exemplars ({@link MnemonicsRefinement}).
 *
 * <p>With compression (CIM), every candidate image of a new class is compressed first (the box of
 * its CAM mask kept, the rest downsampled), herding runs on the compressed images' features, and
 * exemplars are taken in herding order while their class's cumulative cost (full-image units, or
 * bytes) stays within its share, as the authors' {@code _construct_exemplar} does.
 */
public final class MemoryUpdate implements MemoryPolicy, PhaseHook {

    /** Heatmaps kept for the download, per new class. */
    static final int HEATMAPS_PER_CLASS = 3;

    private final MemoryBudget budget;
    private final ExemplarSelector selector;
    private final MnemonicsRefinement refinement;
    private final String compression;
    private final double ratio;
    private final double threshold;
    private final CimTraining cim;
    /** CAM heatmaps of a few new exemplars (position in the memory → height·width map in [0, 1]), or null. */
    private Map<Integer, float[]> heatmaps;

    private MemoryUpdate(
            MemoryBudget budget,
            ExemplarSelector selector,
            MnemonicsRefinement refinement,
            String compression,
            double ratio,
            double threshold,
            CimTraining cim) {
        this.budget = budget;
        this.selector = selector;
        this.refinement = refinement;
        this.compression = compression;
        this.ratio = ratio;
        this.threshold = threshold;
        this.cim = cim;
    }

    /**
     * The update of a memory spec, assembled by the run's memory parts: the selector part sets the
     * selector (and mnemonics its refinement), the compression part its compression.
     */
    public static final class Builder {
        private final MemoryBudget budget;
        private ExemplarSelector selector;
        private MnemonicsRefinement refinement;
        private String compression = "none";
        private double ratio = 1;
        private double threshold = 0;
        private CimTraining cim;

        public Builder(MemorySpec spec) {
            this.budget = MemoryBudget.of(spec);
        }

        /** @param refinement optimises the selected exemplars afterwards (mnemonics), or null */
        public Builder selector(ExemplarSelector selector, MnemonicsRefinement refinement) {
            this.selector = selector;
            this.refinement = refinement;
            return this;
        }

        /** @param cim CIM's mask-model training, whose activations give the CAMs; null for plain CAMs */
        public Builder compression(String name, double ratio, double threshold, CimTraining cim) {
            this.compression = name;
            this.ratio = ratio;
            this.threshold = threshold;
            this.cim = cim;
            return this;
        }

        public MemoryUpdate build() {
            if (selector == null) {
                throw new IllegalStateException("no memory part chose a selector");
            }
            return new MemoryUpdate(budget, selector, refinement, compression, ratio, threshold, cim);
        }
    }

    /** The hooks the memory adds to the phase: itself (its report and heatmaps), mnemonics training, CIM's mask-model training. */
    @Override
    public List<PhaseHook> hooks() {
        List<PhaseHook> hooks = new ArrayList<>(List.of(this));
        if (refinement != null) {
            hooks.add(refinement);
        }
        if (cim != null) {
            hooks.add(cim);
        }
        return hooks;
    }

    private boolean compresses() {
        return !"none".equals(compression);
    }

    /**
     * @param oldOrder original labels of the old classes, in class order
     * @param newClasses original labels learned in this phase
     */
    @Override
    public ExemplarSet update(
            PhaseSession session, ImageDataset train, List<Integer> oldOrder, List<Integer> newClasses, Random rng) {
        ExemplarSet previous = session.memory();
        int seen = oldOrder.size() + newClasses.size();
        double share = budget.classShare(seen);
        int imageBytes = train.imageBytes();
        SetBuilder builder = new SetBuilder(imageBytes, compresses());
        for (int label : oldOrder) {
            double spent = 0;
            for (int i = 0; i < previous.size(); i++) {
                if (previous.labels()[i] == label) {
                    spent += budget.cost(previous, i);
                    if (spent > share) {
                        break;
                    }
                    builder.add(previous, i);
                }
            }
        }
        Map<Integer, float[]> heatmaps = new LinkedHashMap<>();
        for (int label : newClasses) {
            int[] candidates = train.indicesOfLabels(List.of(label));
            ImageDataset images = train.subset(candidates);
            byte[] pixels = images.pixels();
            int[] labels = new int[candidates.length];
            java.util.Arrays.fill(labels, session.incrementalLabel(label));
            int[][] boxes = null;
            float[][] maps = null;
            if (compresses()) {
                maps = ClassActivationMaps.heatmaps(
                        session, new Samples(pixels, labels, imageBytes), cim == null ? null : cim.activations());
                boxes = new int[candidates.length][];
                pixels = pixels.clone();
                for (int k = 0; k < candidates.length; k++) {
                    boxes[k] = ExemplarCompression.box(maps[k], train.height(), train.width(), threshold);
                    CompressedImage compressed = ExemplarCompression.compress(
                            pixels, k * imageBytes, train.height(), train.width(), train.channels(), boxes[k], (float)
                                    ratio);
                    System.arraycopy(ExemplarCompression.rebuild(compressed), 0, pixels, k * imageBytes, imageBytes);
                }
            }
            double[] costs = new double[candidates.length];
            double cheapest = Double.POSITIVE_INFINITY;
            for (int k = 0; k < candidates.length; k++) {
                costs[k] = cost(
                        boxes == null ? null : boxes[k], train.height(), train.width(), train.channels(), imageBytes);
                cheapest = Math.min(cheapest, costs[k]);
            }
            int bound = (int) Math.min(candidates.length, Math.floor(share / cheapest));
            float[][] features = session.features(new Samples(pixels, new int[candidates.length], imageBytes));
            double spent = 0;
            int kept = 0;
            for (int chosen : selector.select(features, bound, rng)) {
                spent += costs[chosen];
                if (spent > share) {
                    break;
                }
                int position = builder.size();
                builder.add(
                        pixels,
                        chosen,
                        label,
                        candidates[chosen],
                        boxes == null ? ExemplarKind.REAL : ExemplarKind.COMPRESSED,
                        boxes == null ? null : boxes[chosen]);
                if (maps != null && kept < HEATMAPS_PER_CLASS) {
                    heatmaps.put(position, maps[chosen]);
                }
                kept++;
            }
        }
        ExemplarSet selected =
                builder.build(train.height(), train.width(), train.channels(), previous.storage(), (float) ratio);
        this.heatmaps = heatmaps.isEmpty() ? null : heatmaps;
        return refinement == null ? selected : refinement.refine(session, selected, newClasses);
    }

    /** What one candidate costs against the budget: bytes, or full-image units. */
    private double cost(int[] box, int height, int width, int channels, int imageBytes) {
        if (box == null) {
            return budget.inBytes() ? imageBytes + CompressedImage.LABEL_BYTES : 1.0;
        }
        double boxFraction = (double) (box[1] - box[0]) * (box[3] - box[2]) / ((double) height * width);
        if (!budget.inBytes()) {
            return ExemplarCompression.unitCost(boxFraction, ratio);
        }
        return ExemplarCompression.compress(new byte[imageBytes], 0, height, width, channels, box, (float) ratio)
                .storedBytes();
    }

    /** For the exemplar download: CAM heatmaps of a few new exemplars. */
    @Override
    public void saveState(PhaseSession session, Path stateDir) {
        if (heatmaps == null) {
            return;
        }
        try {
            ExemplarHeatmaps.write(stateDir.resolve(ExemplarHeatmaps.FILE_NAME), heatmaps);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the memory holds, for the phase's metrics: reported with a byte budget or compression. */
    @Override
    public PartReport report(PhaseSession session) {
        ExemplarSet memory = session.memory();
        int seenClasses = session.totalClasses();
        if (!compresses() && !budget.inBytes()) {
            return null;
        }
        double cost = 0;
        double box = 0;
        for (int i = 0; i < memory.size(); i++) {
            cost += memory.unitCost(i);
            int[] b = memory.box(i);
            box += b == null
                    ? 1.0
                    : (double) (b[1] - b[0]) * (b[3] - b[2]) / ((double) memory.height() * memory.width());
        }
        int n = Math.max(1, memory.size());
        return new MemoryMetrics(
                compression,
                (double) memory.size() / Math.max(1, seenClasses),
                memory.storedBytes(),
                memory.size() == 0 ? 0 : cost / n,
                memory.size() == 0 ? 0 : box / n,
                null);
    }

    /** Collects exemplars; float intensities are kept when any kept exemplar has them. */
    private static final class SetBuilder {
        private final int imageBytes;
        private final boolean compressed;
        private final java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
        private final List<float[]> values = new ArrayList<>();
        private final List<Integer> labels = new ArrayList<>();
        private final List<Integer> sources = new ArrayList<>();
        private final List<ExemplarKind> kinds = new ArrayList<>();
        private final List<int[]> boxes = new ArrayList<>();
        private boolean anyFloat;

        SetBuilder(int imageBytes, boolean compressed) {
            this.imageBytes = imageBytes;
            this.compressed = compressed;
        }

        int size() {
            return labels.size();
        }

        void add(byte[] from, int index, int label, int source, ExemplarKind kind, int[] box) {
            pixels.write(from, index * imageBytes, imageBytes);
            float[] widened = new float[imageBytes];
            for (int i = 0; i < imageBytes; i++) {
                widened[i] = from[index * imageBytes + i] & 0xff;
            }
            values.add(widened);
            labels.add(label);
            sources.add(source);
            kinds.add(kind);
            boxes.add(box == null ? new int[4] : box);
        }

        void add(ExemplarSet from, int index) {
            add(
                    from.pixels(),
                    index,
                    from.labels()[index],
                    from.sourceIndices()[index],
                    from.kinds()[index],
                    from.box(index));
            if (from.values() != null) {
                System.arraycopy(from.values(), index * imageBytes, values.get(values.size() - 1), 0, imageBytes);
                anyFloat = true;
            }
        }

        ExemplarSet build(int h, int w, int c, ExemplarStorage storage, float ratio) {
            float[] held = null;
            if (anyFloat) {
                held = new float[values.size() * imageBytes];
                for (int i = 0; i < values.size(); i++) {
                    System.arraycopy(values.get(i), 0, held, i * imageBytes, imageBytes);
                }
            }
            int[] boxArray = null;
            if (compressed) {
                boxArray = new int[4 * boxes.size()];
                for (int i = 0; i < boxes.size(); i++) {
                    System.arraycopy(boxes.get(i), 0, boxArray, 4 * i, 4);
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
                    anyFloat ? storage : ExemplarStorage.UINT8,
                    boxArray,
                    compressed ? ratio : 0f);
        }
    }
}
