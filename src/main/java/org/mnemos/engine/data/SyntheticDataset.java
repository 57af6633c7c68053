package org.mnemos.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.DatasetSpec;

/**
 * A seeded class-conditional image generator. Each class has a smooth pattern (a sum of
 * low-frequency oriented gratings and a blob, with a class colour); each sample jitters the
 * gratings' orientation and frequency and the blob's size, shifts the pattern by a sub-pixel amount,
 * varies contrast and brightness, overlays a random class-independent grating and adds pixel noise,
 * so no two samples coincide and nearest-neighbour lookup does not solve it, while a small network
 * can learn the classes. Same parameters, same bytes.
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
    private static final double ANGLE_JITTER = 0.15;
    private static final double DISTRACTOR_MAX = 0.5;

    private final int classes;
    private final int trainPerClass;
    private final int testPerClass;
    private final int size;
    private final int channels;
    private final long seed;

    public SyntheticDataset(int classes, int trainPerClass, int testPerClass, int size, int channels, long seed) {
        check(
                classes >= 2 && classes <= 1000,
                "dataset.syntheticClasses",
                "must be between 2 and 1000, was " + classes);
        check(
                trainPerClass >= 1 && trainPerClass <= 100_000,
                "dataset.syntheticTrainPerClass",
                "must be between 1 and 100000, was " + trainPerClass);
        check(
                testPerClass >= 1 && testPerClass <= 100_000,
                "dataset.syntheticTestPerClass",
                "must be between 1 and 100000, was " + testPerClass);
        check(size >= 8 && size <= 256, "dataset.syntheticImageSize", "must be between 8 and 256, was " + size);
        check(channels == 1 || channels == 3, "dataset.syntheticChannels", "must be 1 or 3, was " + channels);
        check(
                (long) classes * (trainPerClass + testPerClass) * size * size * channels < Integer.MAX_VALUE,
                "dataset",
                "synthetic data set would exceed 2 GiB of pixels");
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
        return new DatasetInfo(
                NAME,
                "Seeded synthetic class-conditional images (" + classes + " classes, " + trainPerClass + "/"
                        + testPerClass + " train/test per class)",
                size,
                size,
                channels,
                classNames(),
                true);
    }

    /** Images in both splits together. */
    public long imageCount() {
        return (long) classes * (trainPerClass + testPerClass);
    }

    public DatasetSplits generate() {
        SplittableRandom classRng = new SplittableRandom(seed);
        ClassPattern[] patterns = new ClassPattern[classes];
        for (int c = 0; c < classes; c++) {
            patterns[c] = ClassPattern.random(classRng.split(), size, channels);
        }
        List<String> names = classNames();
        // Separate streams so the test split does not depend on the train size.
        ImageDataset train = samples(patterns, trainPerClass, new SplittableRandom(seed ^ 0x7124_1A1BL), names);
        ImageDataset test = samples(patterns, testPerClass, new SplittableRandom(seed ^ 0x7E57_7E57L), names);
        return new DatasetSplits(train, test);
    }

    /** A class: oriented gratings, a blob and a colour; samples perturb all of it. */
    private record ClassPattern(
            double[] angle,
            double[] frequency,
            double[] phase,
            double[] weight,
            double blobY,
            double blobX,
            double blobRadius,
            double blobSign,
            double[] colour) {

        static ClassPattern random(SplittableRandom rng, int size, int channels) {
            double[] angle = new double[GRATINGS];
            double[] frequency = new double[GRATINGS];
            double[] phase = new double[GRATINGS];
            double[] weight = new double[GRATINGS];
            double weightSum = 0;
            for (int g = 0; g < GRATINGS; g++) {
                angle[g] = rng.nextDouble(Math.PI);
                frequency[g] = 2 * Math.PI * rng.nextDouble(0.8, 3.0) / size;
                phase[g] = rng.nextDouble(2 * Math.PI);
                weight[g] = rng.nextDouble(0.3, 1.0);
                weightSum += weight[g];
            }
            for (int g = 0; g < GRATINGS; g++) {
                weight[g] /= weightSum;
            }
            double[] colour = new double[channels];
            for (int ch = 0; ch < channels; ch++) {
                colour[ch] = channels == 1 ? 1.0 : rng.nextDouble(0.2, 1.0);
            }
            return new ClassPattern(
                    angle,
                    frequency,
                    phase,
                    weight,
                    rng.nextDouble(0.25, 0.75) * size,
                    rng.nextDouble(0.25, 0.75) * size,
                    rng.nextDouble(0.12, 0.3) * size,
                    rng.nextBoolean() ? 1 : -1,
                    colour);
        }
    }

    private ImageDataset samples(ClassPattern[] patterns, int perClass, SplittableRandom rng, List<String> names) {
        int n = classes * perClass;
        int imageBytes = size * size * channels;
        byte[] pixels = new byte[n * imageBytes];
        int[] labels = new int[n];
        double maxShift = size / 7.0;
        double[] kx = new double[GRATINGS];
        double[] ky = new double[GRATINGS];
        // Interleave classes so any prefix of the split is class-balanced.
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            ClassPattern p = patterns[c];
            for (int g = 0; g < GRATINGS; g++) {
                double angle = p.angle()[g] + ANGLE_JITTER * gaussian(rng);
                double frequency = p.frequency()[g] * rng.nextDouble(0.85, 1.15);
                kx[g] = Math.cos(angle) * frequency;
                ky[g] = Math.sin(angle) * frequency;
            }
            double shiftY = rng.nextDouble(-maxShift, maxShift);
            double shiftX = rng.nextDouble(-maxShift, maxShift);
            double contrast = rng.nextDouble(0.6, 1.4);
            double brightness = rng.nextDouble(-0.1, 0.1);
            // A class-independent distractor grating every sample carries.
            double distractorAngle = rng.nextDouble(Math.PI);
            double distractorFrequency = 2 * Math.PI * rng.nextDouble(0.8, 4.0) / size;
            double distractorKx = Math.cos(distractorAngle) * distractorFrequency;
            double distractorKy = Math.sin(distractorAngle) * distractorFrequency;
            double distractorPhase = rng.nextDouble(2 * Math.PI);
            double distractorAmplitude = rng.nextDouble(0.0, DISTRACTOR_MAX);
            double blobRadius = p.blobRadius() * rng.nextDouble(0.8, 1.25);
            int offset = i * imageBytes;
            for (int y = 0; y < size; y++) {
                double sy = y - shiftY;
                for (int x = 0; x < size; x++) {
                    double sx = x - shiftX;
                    double v = 0;
                    for (int g = 0; g < GRATINGS; g++) {
                        v += p.weight()[g] * Math.cos(sx * kx[g] + sy * ky[g] + p.phase()[g]);
                    }
                    double dy = sy - p.blobY();
                    double dx = sx - p.blobX();
                    v = 0.6 * v + 0.6 * p.blobSign() * Math.exp(-(dx * dx + dy * dy) / (2 * blobRadius * blobRadius));
                    double distractor =
                            distractorAmplitude * Math.cos(x * distractorKx + y * distractorKy + distractorPhase);
                    for (int ch = 0; ch < channels; ch++) {
                        double value = 0.5
                                + brightness
                                + 0.35 * (contrast * v * p.colour()[ch] + distractor)
                                + NOISE_SIGMA * gaussian(rng);
                        int b = (int) Math.round(value * 255);
                        pixels[offset + (y * size + x) * channels + ch] = (byte) Math.max(0, Math.min(255, b));
                    }
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
