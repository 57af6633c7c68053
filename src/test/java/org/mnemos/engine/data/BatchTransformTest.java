package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchTransformTest {

    private static byte[] randomPixels(int n, int h, int w, int c, long seed) {
        byte[] pixels = new byte[n * h * w * c];
        new Random(seed).nextBytes(pixels);
        return pixels;
    }

    private static NDArray batch(NDManager m, byte[] pixels, int n, int h, int w, int c) {
        return m.create(ByteBuffer.wrap(pixels), new Shape(n, h, w, c), DataType.UINT8);
    }

    @Test
    void normalisesToNchwWithTheDatasetStatistics() {
        int n = 2, h = 3, w = 4, c = 3;
        byte[] pixels = randomPixels(n, h, w, c, 1);
        BatchTransform transform = BatchTransform.forDataset("cifar10", h, w, c, true);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray out = transform.apply(batch(m, pixels, n, h, w, c), false, new Random(0));
            assertThat(out.getShape()).isEqualTo(new Shape(n, c, h, w));
            assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
            float[] values = out.toFloatArray();
            float[] mean = {0.4914f, 0.4822f, 0.4465f};
            float[] std = {0.2470f, 0.2435f, 0.2616f};
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        for (int ch = 0; ch < c; ch++) {
                            float raw = (pixels[((i * h + y) * w + x) * c + ch] & 0xff) / 255f;
                            float got = values[((i * c + ch) * h + y) * w + x];
                            assertThat(got).isCloseTo((raw - mean[ch]) / std[ch], within(1e-4f));
                        }
                    }
                }
            }
        }
        assertThat(BatchTransform.forDataset("mnist", 28, 28, 1, false).mean()).containsExactly(0.1307f);
        assertThat(BatchTransform.forDataset("synthetic", 28, 28, 3, false).std())
                .containsExactly(0.25f, 0.25f, 0.25f);
    }

    @Test
    void cropAndFlipEqualAPlainJavaReference() {
        int n = 3, h = 6, w = 5, c = 2, p = BatchTransform.CROP_PADDING;
        byte[] pixels = randomPixels(n, h, w, c, 2);
        int[] dy = {0, 8, 3};
        int[] dx = {8, 0, 5};
        boolean[] flip = {false, true, true};
        BatchTransform transform = BatchTransform.forDataset("synthetic", h, w, c, true);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray out = transform.cropFlip(batch(m, pixels, n, h, w, c), dy, dx, flip);
            assertThat(out.getShape()).isEqualTo(new Shape(n, h, w, c));
            byte[] got = out.toByteArray();
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int sourceX = (flip[i] ? w - 1 - x : x) + dx[i] - p;
                        int sourceY = y + dy[i] - p;
                        for (int ch = 0; ch < c; ch++) {
                            byte expected = sourceY < 0 || sourceY >= h || sourceX < 0 || sourceX >= w
                                    ? 0
                                    : pixels[((i * h + sourceY) * w + sourceX) * c + ch];
                            assertThat(got[((i * h + y) * w + x) * c + ch])
                                    .as("sample %d y %d x %d c %d", i, y, x, ch)
                                    .isEqualTo(expected);
                        }
                    }
                }
            }
        }
    }

    @Test
    void augmentationIsDeterministicPerSeedAndOnlyInTraining() {
        int n = 8, h = 32, w = 32, c = 3;
        byte[] pixels = randomPixels(n, h, w, c, 3);
        BatchTransform augmenting = BatchTransform.forDataset("cifar100", h, w, c, true);
        BatchTransform plain = BatchTransform.forDataset("cifar100", h, w, c, false);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = batch(m, pixels, n, h, w, c);
            float[] a = augmenting.apply(input, true, new Random(5)).toFloatArray();
            float[] b = augmenting.apply(input, true, new Random(5)).toFloatArray();
            float[] other = augmenting.apply(input, true, new Random(6)).toFloatArray();
            float[] eval = augmenting.apply(input, false, new Random(5)).toFloatArray();
            float[] notAugmenting = plain.apply(input, true, new Random(5)).toFloatArray();
            assertThat(a).isEqualTo(b);
            assertThat(a).isNotEqualTo(other);
            assertThat(a).isNotEqualTo(eval);
            assertThat(eval).isEqualTo(notAugmenting);
        }
    }

    @Test
    void floatBatchesOfOptimisedExemplarsAugmentAndNormaliseLikeTheirUint8Values() {
        for (int size : new int[] {32, 96}) { // pad-crop-flip, and random-resized-crop
            int n = 4, c = 3;
            byte[] pixels = randomPixels(n, size, size, c, 9);
            BatchTransform transform = BatchTransform.forDataset("cifar100", size, size, c, true);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray bytes = batch(m, pixels, n, size, size, c);
                NDArray floats = bytes.toType(DataType.FLOAT32, false);
                float[] fromBytes = transform.apply(bytes, true, new Random(3)).toFloatArray();
                float[] fromFloats =
                        transform.apply(floats, true, new Random(3)).toFloatArray();
                assertThat(fromFloats).hasSameSizeAs(fromBytes);
                // resized crops interpolate: the uint8 path rounds, the float path keeps the value
                float tolerance = size > BatchTransform.SMALL_IMAGE_MAX ? 0.5f / 255f / 0.2f : 1e-5f;
                for (int i = 0; i < fromBytes.length; i++) {
                    assertThat(fromFloats[i]).isCloseTo(fromBytes[i], within(tolerance));
                }
                // a value between two levels survives normalisation instead of being rounded away
                NDArray between = floats.add(0.25f);
                float[] shifted = transform.apply(between, false, new Random(3)).toFloatArray();
                float[] plain = transform.apply(floats, false, new Random(3)).toFloatArray();
                assertThat(shifted[0] - plain[0])
                        .isCloseTo(0.25f / 255f / transform.std()[0], within(1e-5f));
            }
        }
    }

    @Test
    void largeImagesGetRandomResizedCropsOfTheInputSide() {
        int n = 3, h = 80, w = 80, c = 3;
        byte[] pixels = randomPixels(n, h, w, c, 4);
        BatchTransform transform = BatchTransform.forDataset("imagefolder", h, w, c, true);
        try (NDManager m = NDManager.newBaseManager()) {
            NDManager batchManager = m.newSubManager();
            NDArray input = batch(batchManager, pixels, n, h, w, c);
            NDArray a = transform.apply(input, true, new Random(9));
            // an image folder stored at 80 feeds the network 70 = 80 · 224/256 (the input side 70 is stored at 80)
            assertThat(a.getShape()).isEqualTo(new Shape(n, c, 70, 70));
            assertThat(a.getManager()).isSameAs(batchManager);
            assertThat(a.toFloatArray())
                    .isEqualTo(transform.apply(input, true, new Random(9)).toFloatArray());
            batchManager.close();
            assertThat(input.isReleased()).isTrue();
        }
    }

    @Test
    void everyResultStaysOnTheInputsManager() {
        try (NDManager root = NDManager.newBaseManager()) {
            NDManager batchManager = root.newSubManager();
            NDArray input = batch(batchManager, randomPixels(4, 8, 8, 1, 5), 4, 8, 8, 1);
            NDArray out = BatchTransform.forDataset("mnist", 8, 8, 1, true).apply(input, true, new Random(1));
            assertThat(out.getManager()).isSameAs(batchManager);
            batchManager.close();
            assertThat(out.isReleased()).isTrue();
            // getManagedArrays is recursive: nothing may remain once the batch manager is closed.
            assertThat(root.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void brightnessJitterScalesLikePilsImageEnhance() throws Exception {
        var reference = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(java.nio.file.Files.readString(
                        java.nio.file.Path.of("src/test/resources/reference/brightness.json")));
        int h = reference.get("height").asInt(),
                w = reference.get("width").asInt(),
                c = reference.get("channels").asInt();
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            for (var testCase : reference.get("cases")) {
                byte[] pixels = new byte[h * w * c];
                int[] expected = new int[h * w * c];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (byte) testCase.get("input").get(i).asInt();
                    expected[i] = testCase.get("expected").get(i).asInt();
                }
                float factor = (float) testCase.get("factor").asDouble();
                NDArray out = BatchTransform.scaleBrightness(batch(m, pixels, 1, h, w, c), new float[] {factor});
                assertThat(out.toType(DataType.INT32, false).toIntArray())
                        .as("factor " + factor)
                        .containsExactly(expected);
            }
        }
    }

    @Test
    void trainingWithBrightnessJitterScalesEachImageWithinTheRange() {
        // 16x16: the centre pixel stays inside the image whatever the crop's shift (at most 4)
        int n = 16, h = 16, w = 16, c = 3;
        byte[] grey = new byte[n * h * w * c];
        java.util.Arrays.fill(grey, (byte) 128);
        BatchTransform jittered =
                BatchTransform.forDataset("cifar100", h, w, c, true).withBrightnessJitter(63 / 255.0);
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDArray centre = jittered.apply(batch(m, grey, n, h, w, c), true, new Random(3))
                    .get(":, :, 8, 8");
            NDArray plain = BatchTransform.forDataset("cifar100", h, w, c, true)
                    .apply(batch(m, grey, n, h, w, c), true, new Random(3))
                    .get(":, :, 8, 8");
            float[] jitteredLevels = centre.toFloatArray();
            float[] plainLevels = plain.toFloatArray();
            float[] mean = jittered.mean(), std = jittered.std();
            java.util.Set<Integer> levels = new java.util.HashSet<>();
            for (int i = 0; i < jitteredLevels.length; i++) {
                int channel = i % c;
                int level = Math.round((jitteredLevels[i] * std[channel] + mean[channel]) * 255f);
                assertThat(level)
                        .isBetween((int) Math.floor(128 * (1 - 63 / 255.0)), (int) Math.floor(128 * (1 + 63 / 255.0)));
                assertThat(Math.round((plainLevels[i] * std[channel] + mean[channel]) * 255f))
                        .isEqualTo(128);
                levels.add(level);
            }
            assertThat(levels).as("images get different factors").hasSizeGreaterThan(n / 2);
        }
    }
}
