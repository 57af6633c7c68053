package org.mnemos.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.mnemos.engine.memory.ExemplarHeatmaps;
import org.mnemos.engine.memory.ExemplarOriginals;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;

/**
 * A phase's exemplar memory, or a data-free method's sample of dreams, as the downloads read it
 * from a phase state: the images (uint8 HWC) with their labels and kinds, what compression kept of
 * each, the exact values of optimised ones, and the extra views some images have (a CAM heatmap,
 * the training image an optimised exemplar was made from).
 */
public final class PhaseExemplars {

    private final ExemplarSet set;
    private final Map<Integer, float[]> heatmaps;
    private final Map<Integer, byte[]> originals;

    private PhaseExemplars(ExemplarSet set, Map<Integer, float[]> heatmaps, Map<Integer, byte[]> originals) {
        this.set = set;
        this.heatmaps = heatmaps;
        this.originals = originals;
    }

    /**
     * @param heatmaps CAM heatmaps of some exemplars (position → height·width map in [0, 1])
     * @param originals the training images optimised exemplars were made from (position → uint8 HWC)
     */
    public static PhaseExemplars of(ExemplarSet set, Map<Integer, float[]> heatmaps, Map<Integer, byte[]> originals) {
        return new PhaseExemplars(set, heatmaps, originals);
    }

    public static PhaseExemplars of(ExemplarSet set) {
        return of(set, Map.of(), Map.of());
    }

    /** The exemplar memory a phase state holds, with the views its phase wrote. */
    public static PhaseExemplars readMemory(Path stateDir) throws IOException {
        return of(
                ExemplarSet.read(stateDir.resolve(ExemplarSet.FILE_NAME)),
                ExemplarHeatmaps.read(stateDir.resolve(ExemplarHeatmaps.FILE_NAME)),
                ExemplarOriginals.read(stateDir.resolve(ExemplarOriginals.FILE_NAME)));
    }

    /** A set of images in the exemplar format without views, such as {@link PartCatalog#DREAM_GALLERY_FILE}. */
    public static PhaseExemplars readFile(Path file) throws IOException {
        return of(ExemplarSet.read(file));
    }

    /** The binary16 bits a float16 memory stores a value as (round to nearest even). */
    public static short halfBits(float value) {
        return ExemplarStorage.halfBits(value);
    }

    public int size() {
        return set.size();
    }

    public int height() {
        return set.height();
    }

    public int width() {
        return set.width();
    }

    public int channels() {
        return set.channels();
    }

    public int label(int i) {
        return set.labels()[i];
    }

    /** The data-set index the exemplar was taken or made from; negative for a synthetic image. */
    public int sourceIndex(int i) {
        return set.sourceIndices()[i];
    }

    /** {@code real}, {@code optimized}, {@code compressed} or {@code synthetic}. */
    public String kind(int i) {
        return set.kinds()[i].wireName();
    }

    /** All images, HWC uint8 one after another; image {@code i} starts at {@code i · imageBytes()}. */
    public byte[] pixels() {
        return set.pixels();
    }

    public int imageBytes() {
        return set.imageBytes();
    }

    public boolean isCompressed(int i) {
        return set.isCompressed(i);
    }

    /** A compressed exemplar's box kept at full resolution: top, bottom, left, right. */
    public int[] box(int i) {
        return set.box(i);
    }

    public double compressionRate(int i) {
        return set.unitCost(i);
    }

    public long storedBytes(int i) {
        return set.storedBytes(i);
    }

    /** Whether any exemplar of the memory is compressed (then {@link #compressionRatio()} applies). */
    public boolean hasCompression() {
        return set.boxes() != null;
    }

    public float compressionRatio() {
        return set.compressionRatio();
    }

    public long memoryBytes() {
        return set.memoryBytes();
    }

    public long storedBytes() {
        return set.storedBytes();
    }

    /** {@code uint8}, {@code float16} or {@code float32}. */
    public String storage() {
        return set.storage().wireName();
    }

    /** The exact pixel intensities of a float memory (HWC, as {@link #pixels()}); null for {@code uint8}. */
    public float[] values() {
        return set.values();
    }

    public float[] heatmap(int i) {
        return heatmaps.get(i);
    }

    public byte[] original(int i) {
        return originals.get(i);
    }
}
