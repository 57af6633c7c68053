package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * An image folder at image size 224 is stored at 256 and cropped as the references do: the test
 * input is Resize(256) + CenterCrop(224) of the original image (against torchvision's definition
 * computed with PIL by {@code reference/generate_resize_crop.py}), training takes RandomResizedCrop
 * to 224 from the stored square, and the memory estimate counts the stored images.
 */
class ImageFolderCropTest {

    @TempDir
    Path dir;

    private static BufferedImage resource(String name) throws Exception {
        try (InputStream in = ImageFolderCropTest.class.getResourceAsStream("/reference/" + name)) {
            return ImageIO.read(in);
        }
    }

    private static NDArray uint8(NDManager manager, byte[] pixels) {
        return manager.create(
                java.nio.ByteBuffer.wrap(pixels), new Shape(1, 256, 256, 3), ai.djl.ndarray.types.DataType.UINT8);
    }

    /** One class with the input image in train/ and val/. */
    private DatasetSpec folderWith(String name) throws Exception {
        for (String split : List.of("train", "val")) {
            Path classDir =
                    Files.createDirectories(dir.resolve("set").resolve(split).resolve("pattern"));
            ImageIO.write(
                    resource("resize_crop_" + name + "_input.png"),
                    "png",
                    classDir.resolve("a.png").toFile());
        }
        return new DatasetSpec("imagefolder", "set", 224, null, null, null, null, null);
    }

    /** Mean absolute difference in grey levels between the evaluation input and torchvision's crop. */
    private double evaluationCropError(String name) throws Exception {
        DatasetSpec spec = folderWith(name);
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(dir)));
        ImageDataset test = catalog.load(spec).test();
        assertThat(test.height()).isEqualTo(256);
        BatchTransform eval = BatchTransform.forDataset("imagefolder", 256, 256, 3, false);
        BufferedImage expected = resource("resize_crop_" + name + "_expected.png");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray input = eval.apply(uint8(manager, test.pixels()), false, new Random(0));
            assertThat(input.getShape()).isEqualTo(new Shape(1, 3, 224, 224));
            // back to grey levels: x · 255·std + 255·mean
            NDArray mean = manager.create(eval.mean()).reshape(1, 3, 1, 1).mul(255f);
            NDArray std = manager.create(eval.std()).reshape(1, 3, 1, 1).mul(255f);
            float[] pixels = input.mul(std).add(mean).toFloatArray();
            double total = 0;
            for (int y = 0; y < 224; y++) {
                for (int x = 0; x < 224; x++) {
                    int rgb = expected.getRGB(x, y);
                    int[] channel = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                    for (int c = 0; c < 3; c++) {
                        total += Math.abs(pixels[(c * 224 + y) * 224 + x] - channel[c]);
                    }
                }
            }
            return total / (224 * 224 * 3);
        }
    }

    @Test
    void theEvaluationInputIsResize256CenterCrop224OfTheOriginal() throws Exception {
        // enlarging, PIL's bilinear filter is plain bilinear interpolation, as Java2D's (measured: 0.06 grey levels)
        assertThat(evaluationCropError("enlarged")).isLessThan(0.25);
    }

    @Test
    void aShrunkImageDiffersFromTorchvisionOnlyByTheResamplingFilter() throws Exception {
        // PIL widens its filter to antialias when shrinking, Java2D does not: the same window, resampled a
        // little differently (measured: 0.11 grey levels on this smooth pattern; more on fine detail)
        assertThat(evaluationCropError("shrunk")).isLessThan(0.5);
    }

    @Test
    void trainingCropsRandomResized224SquaresFromTheStored256() throws Exception {
        DatasetSpec spec = folderWith("enlarged");
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(dir)));
        DatasetInfo info = catalog.describe(spec);
        assertThat(info.height()).isEqualTo(256);
        assertThat(info.description()).contains("stored at 256x256", "cropped to 224x224");
        ImageDataset train = catalog.load(spec).train();
        BatchTransform transform = BatchTransform.forDataset("imagefolder", 256, 256, 3, true);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray batch = uint8(manager, train.pixels());
            NDArray first = transform.apply(batch, true, new Random(1));
            NDArray second = transform.apply(batch, true, new Random(2));
            assertThat(first.getShape()).isEqualTo(new Shape(1, 3, 224, 224));
            assertThat(first.sub(second).abs().max().getFloat()).isGreaterThan(0.1f);
        }
        // small image folders keep their size and the pad-and-crop recipe
        assertThat(BatchTransform.storedSide(64)).isEqualTo(64);
        assertThat(BatchTransform.forDataset("imagefolder", 64, 64, 3, true).outputHeight())
                .isEqualTo(64);
        for (int side = 8; side <= 512; side++) {
            assertThat(BatchTransform.inputSide("imagefolder", BatchTransform.storedSide(side)))
                    .isEqualTo(side);
        }
    }

    @Test
    void theMemoryEstimateCountsTheStoredImagesAndTheCropsActivations() throws Exception {
        DatasetSpec spec = folderWith("enlarged");
        DatasetInfo info = new DatasetCatalog(new DataRoots(List.of(dir))).describe(spec);
        ExperimentSpec run = new ExperimentSpec(
                "crop",
                0L,
                null,
                spec,
                new ProtocolSpec(1, 1, null, null, "natural", null, null),
                new ModelSpec("resnet18", null, null),
                MethodSpec.named("finetune"),
                new MemorySpec("herding", 1, null),
                new TrainingSpec(1, null, 8, new OptimizerSpec("sgd", 0.1, 0.9, 0.0, false, null, null), null, true));
        PeakMemory.Estimate onCpu =
                PeakMemory.estimate(org.mnemos.engine.SpecDefaults.resolve(run, 3), info, 1000, false);
        assertThat(onCpu.dataBytes()).isEqualTo(1000L * (256 * 256 * 3 + Long.BYTES) * 2);
        DatasetInfo uncropped = new DatasetInfo("synthetic", "", 224, 224, 3, info.classNames(), true);
        PeakMemory.Estimate at224 =
                PeakMemory.estimate(org.mnemos.engine.SpecDefaults.resolve(run, 3), uncropped, 1000, false);
        assertThat(onCpu.activationBytes()).isEqualTo(at224.activationBytes());
    }
}
