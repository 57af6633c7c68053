package org.mnemos.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.DatasetSpec;

/**
 * A seeded class-conditional image generator. Each class has a smooth prototype (a sum of
 * low-frequency oriented gratings and a blob, with a class colour); each sample shifts it by a few
 * pixels, jitters contrast and brightness and adds pixel noise, so classes overlap enough that a
 * classifier has to learn but a small network can separate them. Same parameters, same bytes.
 */
public final class SyntheticDataset {

    public static final String NAME = "synthetic";
    public static final int DEFAULT_CLASSES = 10;
    public static final int DEFAULT_TRAIN_PER_CLASS = 500;
    public static final int DEFAULT_TEST_PER_CLASS = 100;
    public static final int DEFAULT_SIZE = 28;
    public static final int DEFAULT_CHANNELS = 1;
    /** The data set's identity is fixed like a real data set's; experiment seeds do not change it. */
    public static final long DEFAULT_SEED = 0x5EED_DA7AL;

    private static final int GRATINGS = 3;
    private static final double NOISE_SIGMA = 0.12;

    private final int classes;
    private final int trainPerClass;
    private final int testPerClass;
    private final int size;
    private final int channels;
    private final long seed;

    public SyntheticDataset(int classes, int trainPerClass, int testPerClass, int size, int channels, long seed) {
        check(classes >= 2 && classes <= 1000, "dataset.syntheticClasses", "must be between 2 and 1000, was " + classes);
        check(trainPerClass >= 1 && trainPerClass <= 100_000, "dataset.syntheticTrainPerClass",
                "must be between 1 and 100000, was " + trainPerClass);
        check(testPerClass >= 1 && testPerClass <= 100_000, "dataset.syntheticTestPerClass",
                "must be between 1 and 100000, was " + testPerClass);
        check(size >= 8 && size <= 256, "dataset.syntheticImageSize", "must be between 8 and 256, was " + size);
        check(channels == 1 || channels == 3, "dataset.syntheticChannels", "must be 1 or 3, was " + channels);
        check((long) classes * (trainPerClass + testPerClass) * size * size * channels < Integer.MAX_VALUE,
                "dataset", "synthetic data set would exceed 2 GiB of pixels");
        this.classes = classes;
        this.trainPerClass = trainPerClass;
        this.testPerClass = testPerClass;
        this.size = size;
        this.channels = channels;
        this.seed = seed;
    }

    /** The generator a spec configures, with defaults for unset fields. */
    public static SyntheticDataset fromSpec(DatasetSpec spec) {
        return new SyntheticDataset(
                orDefault(spec.syntheticClasses(), DEFAULT_CLASSES),
                orDefault(spec.syntheticTrainPerClass(), DEFAULT_TRAIN_PER_CLASS),
                orDefault(spec.syntheticTestPerClass(), DEFAULT_TEST_PER_CLASS),
                orDefault(spec.syntheticImageSize(), DEFAULT_SIZE),
                orDefault(spec.syntheticChannels(), DEFAULT_CHANNELS),
                DEFAULT_SEED);
    }

    public int size() {
        return size;
    }

    public int channels() {
        return channels;
    }

    public List<String> classNames() {
        List<String> names = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            names.add("class-" + c);
        }
        return List.copyOf(names);
    }

    public DatasetInfo info() {
        return new DatasetInfo(NAME, "Seeded synthetic class-conditional images (" + classes + " classes, "
                + trainPerClass + "/" + testPerClass + " train/test per class)", size, size, channels, classNames(), true);
    }

    public DatasetSplits generate() {
        int maxShift = Math.max(1, size / 7);
        int padded = size + 2 * maxShift;
        float[][] prototypes = new float[classes][];
        SplittableRandom classRng = new SplittableRandom(seed);
        for (int c = 0; c < classes; c++) {
            prototypes[c] = prototype(classRng.split(), padded);
        }
        List<String> names = classNames();
        // Separate streams so the test split does not depend on the train size.
        ImageDataset train = samples(prototypes, trainPerClass, maxShift, new SplittableRandom(seed ^ 0x7124_1A1BL), names, padded);
        ImageDataset test = samples(prototypes, testPerClass, maxShift, new SplittableRandom(seed ^ 0x7E57_7E57L), names, padded);
        return new DatasetSplits(train, test);
    }

    /** A class prototype on a padded grid, values roughly in [-1, 1], HWC. */
    private float[] prototype(SplittableRandom rng, int padded) {
        double[] angle = new double[GRATINGS];
        double[] frequency = new double[GRATINGS];
        double[] phase = new double[GRATINGS];
        double[] weight = new double[GRATINGS];
        for (int g = 0; g < GRATINGS; g++) {
            angle[g] = rng.nextDouble(Math.PI);
            frequency[g] = 2 * Math.PI * rng.nextDouble(0.8, 3.0) / size;
            phase[g] = rng.nextDouble(2 * Math.PI);
            weight[g] = rng.nextDouble(0.3, 1.0);
        }
        double blobY = rng.nextDouble(0.25, 0.75) * padded;
        double blobX = rng.nextDouble(0.25, 0.75) * padded;
        double blobRadius = rng.nextDouble(0.12, 0.3) * size;
        double blobSign = rng.nextBoolean() ? 1 : -1;
        double[] colour = new double[channels];
        for (int ch = 0; ch < channels; ch++) {
            colour[ch] = channels == 1 ? 1.0 : rng.nextDouble(0.2, 1.0);
        }
        double weightSum = 0;
        for (double w : weight) {
            weightSum += w;
        }
        float[] proto = new float[padded * padded * channels];
        for (int y = 0; y < padded; y++) {
            for (int x = 0; x < padded; x++) {
                double v = 0;
                for (int g = 0; g < GRATINGS; g++) {
                    double t = (x * Math.cos(angle[g]) + y * Math.sin(angle[g])) * frequency[g] + phase[g];
                    v += weight[g] * Math.cos(t);
                }
                v /= weightSum;
                double dy = y - blobY;
                double dx = x - blobX;
                v = 0.6 * v + 0.6 * blobSign * Math.exp(-(dx * dx + dy * dy) / (2 * blobRadius * blobRadius));
                for (int ch = 0; ch < channels; ch++) {
                    proto[(y * padded + x) * channels + ch] = (float) (v * colour[ch]);
                }
            }
        }
        return proto;
    }

    private ImageDataset samples(
            float[][] prototypes, int perClass, int maxShift, SplittableRandom rng, List<String> names, int padded) {
        int n = classes * perClass;
        int imageBytes = size * size * channels;
        byte[] pixels = new byte[n * imageBytes];
        int[] labels = new int[n];
        // Interleave classes so any prefix of the split is class-balanced.
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            float[] proto = prototypes[c];
            int shiftY = maxShift + rng.nextInt(-maxShift, maxShift + 1);
            int shiftX = maxShift + rng.nextInt(-maxShift, maxShift + 1);
            double contrast = rng.nextDouble(0.6, 1.4);
            double brightness = rng.nextDouble(-0.1, 0.1);
            int offset = i * imageBytes;
            for (int y = 0; y < size; y++) {
                int rowBase = ((y + shiftY) * padded + shiftX) * channels;
                for (int xc = 0; xc < size * channels; xc++) {
                    double v = 0.5 + brightness + 0.35 * contrast * proto[rowBase + xc] + NOISE_SIGMA * gaussian(rng);
                    int b = (int) Math.round(v * 255);
                    pixels[offset + y * size * channels + xc] = (byte) Math.max(0, Math.min(255, b));
                }
            }
        }
        return new ImageDataset(NAME, pixels, labels, size, size, channels, names);
    }

    /** Box-Muller from the given stream, so results do not depend on any shared generator. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private static void check(boolean ok, String field, String message) {
        if (!ok) {
            throw new SpecException(field, message);
        }
    }
}
