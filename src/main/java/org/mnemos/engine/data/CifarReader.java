package org.mnemos.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.razorvine.pickle.PickleException;
import org.mnemos.engine.DataPathException;

/**
 * Reads CIFAR-10 and CIFAR-100 in both official formats: the binary version (fixed-size records of
 * label byte(s) + 3072 channel-planar bytes) and the python version (pickled dicts whose
 * {@code data} is a numpy uint8 array of N×3072). Files may be gzipped ({@code .gz}) and may sit
 * in the data-set directory itself or in the official subfolder. Pixels are converted from planar
 * CHW to HWC.
 */
public final class CifarReader {

    public static final int SIDE = 32;
    public static final int PIXELS = SIDE * SIDE;
    public static final int IMAGE_BYTES = 3 * PIXELS;

    public static final List<String> CIFAR10_CLASSES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    /** The fine label names of the official {@code meta} file, in label order. */
    public static final List<String> CIFAR100_CLASSES = List.of(
            "apple",
            "aquarium_fish",
            "baby",
            "bear",
            "beaver",
            "bed",
            "bee",
            "beetle",
            "bicycle",
            "bottle",
            "bowl",
            "boy",
            "bridge",
            "bus",
            "butterfly",
            "camel",
            "can",
            "castle",
            "caterpillar",
            "cattle",
            "chair",
            "chimpanzee",
            "clock",
            "cloud",
            "cockroach",
            "couch",
            "crab",
            "crocodile",
            "cup",
            "dinosaur",
            "dolphin",
            "elephant",
            "flatfish",
            "forest",
            "fox",
            "girl",
            "hamster",
            "house",
            "kangaroo",
            "keyboard",
            "lamp",
            "lawn_mower",
            "leopard",
            "lion",
            "lizard",
            "lobster",
            "man",
            "maple_tree",
            "motorcycle",
            "mountain",
            "mouse",
            "mushroom",
            "oak_tree",
            "orange",
            "orchid",
            "otter",
            "palm_tree",
            "pear",
            "pickup_truck",
            "pine_tree",
            "plain",
            "plate",
            "poppy",
            "porcupine",
            "possum",
            "rabbit",
            "raccoon",
            "ray",
            "road",
            "rocket",
            "rose",
            "sea",
            "seal",
            "shark",
            "shrew",
            "skunk",
            "skyscraper",
            "snail",
            "snake",
            "spider",
            "squirrel",
            "streetcar",
            "sunflower",
            "sweet_pepper",
            "table",
            "tank",
            "telephone",
            "television",
            "tiger",
            "tractor",
            "train",
            "trout",
            "tulip",
            "turtle",
            "wardrobe",
            "whale",
            "willow_tree",
            "wolf",
            "woman",
            "worm");

    /** The two data sets, with their official file names. */
    public enum Variant {
        CIFAR10(
                "cifar10",
                "cifar-10",
                "cifar-10-batches-py",
                "cifar-10-batches-bin",
                List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"),
                List.of("test_batch"),
                "batches.meta",
                "label_names",
                "labels",
                "batches.meta.txt",
                1,
                CIFAR10_CLASSES),
        CIFAR100(
                "cifar100",
                "cifar-100",
                "cifar-100-python",
                "cifar-100-binary",
                List.of("train"),
                List.of("test"),
                "meta",
                "fine_label_names",
                "fine_labels",
                "fine_label_names.txt",
                2,
                CIFAR100_CLASSES);

        final String datasetName;
        final String directoryName;
        final String pythonFolder;
        final String binaryFolder;
        final List<String> trainFiles;
        final List<String> testFiles;
        final String pickleMeta;
        final String pickleNamesKey;
        final String pickleLabelsKey;
        final String textMeta;
        /** Label bytes before each binary record's pixels; the fine label is the last one. */
        final int labelBytes;

        final List<String> knownClasses;

        Variant(
                String datasetName,
                String directoryName,
                String pythonFolder,
                String binaryFolder,
                List<String> trainFiles,
                List<String> testFiles,
                String pickleMeta,
                String pickleNamesKey,
                String pickleLabelsKey,
                String textMeta,
                int labelBytes,
                List<String> knownClasses) {
            this.datasetName = datasetName;
            this.directoryName = directoryName;
            this.pythonFolder = pythonFolder;
            this.binaryFolder = binaryFolder;
            this.trainFiles = trainFiles;
            this.testFiles = testFiles;
            this.pickleMeta = pickleMeta;
            this.pickleNamesKey = pickleNamesKey;
            this.pickleLabelsKey = pickleLabelsKey;
            this.textMeta = textMeta;
            this.labelBytes = labelBytes;
            this.knownClasses = knownClasses;
        }

        public String datasetName() {
            return datasetName;
        }

        /** The directory name under a data root. */
        public String directoryName() {
            return directoryName;
        }

        List<String> folders() {
            return List.of("", pythonFolder, binaryFolder);
        }

        List<String> files(boolean train, boolean binary) {
            List<String> names = train ? trainFiles : testFiles;
            return binary ? names.stream().map(n -> n + ".bin").toList() : names;
        }
    }

    /** Images and labels of one file. */
    record Batch(byte[] pixelsHwc, int[] labels) {}

    private CifarReader() {}

    /** True when every image file of both splits is present in one of the two formats. */
    public static boolean isPresent(Path dir, Variant variant) {
        return format(dir, variant).isPresent();
    }

    /** Class names from the metadata file (python or binary version); the official list when there is none. */
    public static List<String> readClassNames(Path dir, Variant variant) {
        Optional<Path> pickle = DataFiles.find(dir, variant.folders(), variant.pickleMeta);
        if (pickle.isPresent()) {
            return readPickleClassNames(pickle.get(), variant);
        }
        Optional<Path> text = DataFiles.find(dir, variant.folders(), variant.textMeta);
        if (text.isPresent()) {
            return readTextClassNames(text.get(), variant);
        }
        return variant.knownClasses;
    }

    public static List<String> readPickleClassNames(Path metaFile, Variant variant) {
        try (InputStream in = DataFiles.open(metaFile)) {
            Map<?, ?> meta = asDict(NumpyPickle.load(in), metaFile);
            Object names = NumpyPickle.get(meta, variant.pickleNamesKey);
            if (!(names instanceof List<?> list)) {
                throw new DataPathException(metaFile + " has no list '" + variant.pickleNamesKey + "'");
            }
            return checkedClassNames(list.stream().map(NumpyPickle::text).toList(), metaFile, variant);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metaFile, e);
        } catch (PickleException e) {
            throw new DataPathException(metaFile + " is not a readable pickle: " + e.getMessage());
        }
    }

    public static List<String> readTextClassNames(Path textFile, Variant variant) {
        try {
            String content = new String(DataFiles.readAll(textFile), StandardCharsets.UTF_8);
            List<String> names =
                    content.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
            return checkedClassNames(names, textFile, variant);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + textFile, e);
        }
    }

    /** Reads a split from whichever format is complete (python preferred). */
    public static ImageDataset readSplit(Path dir, Variant variant, boolean train) {
        boolean binary = format(dir, variant)
                .orElseThrow(() -> new DataPathException(variant.datasetName + " files are missing in " + dir
                        + ": expected the python files " + variant.files(true, false) + " + "
                        + variant.files(false, false)
                        + " or the binary files " + variant.files(true, true) + " + " + variant.files(false, true)
                        + " (optionally .gz), directly or in " + variant.pythonFolder + "/ or " + variant.binaryFolder
                        + "/"));
        List<String> classNames = readClassNames(dir, variant);
        List<Batch> batches = new ArrayList<>();
        for (String name : variant.files(train, binary)) {
            Path file = DataFiles.require(dir, variant.folders(), name);
            batches.add(binary ? readBinaryBatch(file, variant) : readPickleBatch(file, variant));
        }
        int total = batches.stream().mapToInt(b -> b.labels().length).sum();
        byte[] pixels = new byte[Math.multiplyExact(total, IMAGE_BYTES)];
        int[] labels = new int[total];
        int at = 0;
        for (Batch batch : batches) {
            System.arraycopy(batch.pixelsHwc(), 0, pixels, at * IMAGE_BYTES, batch.pixelsHwc().length);
            System.arraycopy(batch.labels(), 0, labels, at, batch.labels().length);
            at += batch.labels().length;
        }
        for (int i = 0; i < total; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new DataPathException(variant.datasetName + " label " + labels[i] + " at index " + i
                        + " is outside the " + classNames.size() + " classes");
            }
        }
        return new ImageDataset(variant.datasetName, pixels, labels, SIDE, SIDE, 3, classNames);
    }

    static Batch readBinaryBatch(Path file, Variant variant) {
        byte[] raw;
        try {
            raw = DataFiles.readAll(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        int record = variant.labelBytes + IMAGE_BYTES;
        if (raw.length == 0 || raw.length % record != 0) {
            throw new DataPathException(file + " has " + raw.length + " bytes, not a whole number of " + record
                    + "-byte " + variant.datasetName + " records");
        }
        int n = raw.length / record;
        byte[] pixels = new byte[n * IMAGE_BYTES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int start = i * record;
            labels[i] = raw[start + variant.labelBytes - 1] & 0xff;
            planarToInterleaved(raw, start + variant.labelBytes, pixels, i * IMAGE_BYTES);
        }
        return new Batch(pixels, labels);
    }

    static Batch readPickleBatch(Path file, Variant variant) {
        Map<?, ?> dict;
        try (InputStream in = DataFiles.open(file)) {
            dict = asDict(NumpyPickle.load(in), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (PickleException e) {
            throw new DataPathException(file + " is not a readable pickle: " + e.getMessage());
        }
        if (!(NumpyPickle.get(dict, "data") instanceof NumpyPickle.NumpyArray data)) {
            throw new DataPathException(file + " has no numpy array 'data'");
        }
        long[] shape = data.shape();
        if (!data.dtype().code().equals("u1") || shape.length != 2 || shape[1] != IMAGE_BYTES || data.fortranOrder()) {
            throw new DataPathException(file + " 'data' is " + data.dtype().code() + " "
                    + java.util.Arrays.toString(shape) + (data.fortranOrder() ? " (Fortran order)" : "")
                    + ", expected C-order uint8 (N, " + IMAGE_BYTES + ")");
        }
        int n = (int) shape[0];
        if (data.data().length != n * IMAGE_BYTES) {
            throw new DataPathException(
                    file + " 'data' holds " + data.data().length + " bytes, expected " + n * IMAGE_BYTES);
        }
        if (!(NumpyPickle.get(dict, variant.pickleLabelsKey) instanceof List<?> labelList) || labelList.size() != n) {
            throw new DataPathException(file + " has no list '" + variant.pickleLabelsKey + "' of " + n + " labels");
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = ((Number) labelList.get(i)).intValue();
        }
        byte[] pixels = new byte[n * IMAGE_BYTES];
        for (int i = 0; i < n; i++) {
            planarToInterleaved(data.data(), i * IMAGE_BYTES, pixels, i * IMAGE_BYTES);
        }
        return new Batch(pixels, labels);
    }

    /** 1024 R, 1024 G, 1024 B (each row-major 32x32) to RGB per pixel. */
    static void planarToInterleaved(byte[] planar, int from, byte[] hwc, int to) {
        for (int p = 0; p < PIXELS; p++) {
            hwc[to + 3 * p] = planar[from + p];
            hwc[to + 3 * p + 1] = planar[from + PIXELS + p];
            hwc[to + 3 * p + 2] = planar[from + 2 * PIXELS + p];
        }
    }

    /** {@code Optional.of(true)} binary, {@code Optional.of(false)} python, empty when neither is complete. */
    private static Optional<Boolean> format(Path dir, Variant variant) {
        for (boolean binary : new boolean[] {false, true}) {
            boolean complete = true;
            for (boolean train : new boolean[] {true, false}) {
                for (String name : variant.files(train, binary)) {
                    complete &= DataFiles.find(dir, variant.folders(), name).isPresent();
                }
            }
            if (complete) {
                return Optional.of(binary);
            }
        }
        return Optional.empty();
    }

    private static Map<?, ?> asDict(Object unpickled, Path file) {
        if (unpickled instanceof Map<?, ?> map) {
            return map;
        }
        throw new DataPathException(file + " does not hold a pickled dict");
    }

    private static List<String> checkedClassNames(List<String> names, Path file, Variant variant) {
        if (names.size() != variant.knownClasses.size()) {
            throw new DataPathException(file + " names " + names.size() + " classes, " + variant.datasetName + " has "
                    + variant.knownClasses.size());
        }
        return List.copyOf(names);
    }
}
