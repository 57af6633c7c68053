package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.spec.DatasetSpec;

/** The Food-101 stand-in: deterministic, shaped as documented, one garment of 10–20 % of the area in class-independent clutter. */
class ClutteredFashionTest {

    /** The Fashion-MNIST copy every environment of this project has (the engine reads the same root). */
    private static final Path DATA = Path.of("/work/shared/data");

    private static DatasetSplits fashion() {
        return new DatasetCatalog(new DataRoots(List.of(DATA))).load(DatasetSpec.named(DatasetCatalog.FASHION_MNIST));
    }

    private static DatasetSpec spec(int train, int test) {
        return new DatasetSpec(ClutteredFashion.NAME, null, null, null, train, test, null, null);
    }

    @Test
    void theSameSpecGivesTheSameBytesAndASourceImageAlwaysRendersAlike() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(DATA.resolve("fashion-mnist")));
        DatasetSplits first = new ClutteredFashion(20, 5).generate(fashion());
        DatasetSplits again = new ClutteredFashion(20, 5).generate(fashion());
        assertThat(first.train().pixels()).isEqualTo(again.train().pixels());
        assertThat(first.test().pixels()).isEqualTo(again.test().pixels());
        assertThat(first.train().size()).isEqualTo(200);
        assertThat(first.test().size()).isEqualTo(50);
        assertThat(first.train().height()).isEqualTo(128);
        assertThat(first.train().channels()).isEqualTo(1);
        // a larger split renders the same images for the same sources: the smaller one is a subset
        DatasetSplits larger = new ClutteredFashion(40, 5).generate(fashion());
        int imageBytes = 128 * 128;
        int firstImage = 0;
        int sameInLarger = -1;
        for (int i = 0; i < larger.train().size() && sameInLarger < 0; i++) {
            if (Arrays.equals(
                    Arrays.copyOfRange(larger.train().pixels(), i * imageBytes, (i + 1) * imageBytes),
                    Arrays.copyOfRange(
                            first.train().pixels(), firstImage * imageBytes, (firstImage + 1) * imageBytes))) {
                sameInLarger = i;
            }
        }
        assertThat(sameInLarger).isEqualTo(0);
        // different images differ
        assertThat(Arrays.copyOfRange(first.train().pixels(), 0, imageBytes))
                .isNotEqualTo(Arrays.copyOfRange(first.train().pixels(), imageBytes, 2 * imageBytes));
    }

    @Test
    void theCatalogNamesItWithItsStoredShapeAndTheInputIsHalfOfIt() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(DATA.resolve("fashion-mnist")));
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(DATA)));
        DatasetInfo info = catalog.describe(spec(3, 2));
        assertThat(info.height()).isEqualTo(128);
        assertThat(info.classNames()).hasSize(10);
        assertThat(info.available()).isTrue();
        assertThat(BatchTransform.inputSide(ClutteredFashion.NAME, 128)).isEqualTo(64);
        DatasetSplits splits = catalog.load(spec(3, 2));
        assertThat(splits.train().size()).isEqualTo(30);
        assertThat(catalog.imageCount(spec(3, 2))).isEqualTo(50);
    }

    @Test
    void aGarmentCoversTenToTwentyPercentAndTheClutterDoesNotDependOnTheClass() {
        byte[] blank = new byte[28 * 28];
        byte[] square = new byte[28 * 28];
        Arrays.fill(square, (byte) 255);
        float[] clutterOnly = ClutteredFashion.image(blank, 0, new java.util.SplittableRandom(7));
        float[] withObject = ClutteredFashion.image(square, 0, new java.util.SplittableRandom(7));
        int changed = 0;
        for (int p = 0; p < clutterOnly.length; p++) {
            if (Math.abs(clutterOnly[p] - withObject[p]) > 1e-6) {
                changed++;
            }
        }
        // the same stream gives the same clutter; only the object's square (40..56 px a side) differs
        double fraction = changed / (128.0 * 128.0);
        assertThat(fraction).isBetween(40.0 * 40 / (128 * 128) * 0.8, 56.0 * 56 / (128 * 128));
        // the clutter is not flat: smooth noise and strokes
        double mean = 0;
        for (float v : clutterOnly) {
            mean += v / clutterOnly.length;
        }
        double variance = 0;
        for (float v : clutterOnly) {
            variance += (v - mean) * (v - mean) / clutterOnly.length;
        }
        assertThat(Math.sqrt(variance)).isGreaterThan(0.05);
    }
}
