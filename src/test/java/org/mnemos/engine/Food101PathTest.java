package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.DatasetSplits;
import org.mnemos.engine.data.Food101Reader;
import org.mnemos.engine.data.ImageFolderReader;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * The high-resolution path on synthetic 224×224 JPEGs written in Food-101's layout: the reader takes
 * the meta/ split, images are stored at 256 and cropped to 224 (random-resized in training, centre
 * otherwise), and FOSTER trains two phases of ResNet-18 on them. Also the ImageNet-100 class filter.
 */
class Food101PathTest {

    private static final List<String> CLASSES = List.of("apple_pie", "bibimbap", "churros");

    @TempDir
    Path dir;

    /** 3 classes, 2 listed train and 1 listed test image each, plus two unlisted images the reader must skip. */
    private Path writeFood101() throws Exception {
        Path root = dir.resolve("food-101");
        Files.createDirectories(root.resolve("meta"));
        List<String> train = new ArrayList<>();
        List<String> test = new ArrayList<>();
        Random random = new Random(5);
        for (int c = 0; c < CLASSES.size(); c++) {
            Path classDir = Files.createDirectories(root.resolve("images").resolve(CLASSES.get(c)));
            for (int i = 0; i < 5; i++) {
                BufferedImage image = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = image.createGraphics();
                g.setColor(new Color(80 * c + 20, 255 - 70 * c, 40 + random.nextInt(60)));
                g.fillRect(0, 0, 224, 224);
                g.setColor(Color.WHITE);
                g.fillOval(30 * c + random.nextInt(40), 50 + random.nextInt(40), 90, 60);
                g.dispose();
                String id = String.valueOf(1000 * (c + 1) + i);
                ImageIO.write(image, "jpg", classDir.resolve(id + ".jpg").toFile());
                if (i < 2) {
                    train.add(CLASSES.get(c) + "/" + id);
                } else if (i == 2) {
                    test.add(CLASSES.get(c) + "/" + id);
                }
            }
        }
        Files.write(root.resolve("meta/train.txt"), train);
        Files.write(root.resolve("meta/test.txt"), test);
        return root;
    }

    @Test
    void fosterTrainsResNet18OnFood101LayoutAt224() throws Exception {
        writeFood101();
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        MethodSpec method = new FosterSpec("foster", 0.95, 0.97, 2.0, 1.0, 1, null, false, false, 1.0, "ft");
        ExperimentSpec spec = new ExperimentSpec(
                "food101-path",
                3L,
                null,
                DatasetSpec.named("food101"),
                new ProtocolSpec(2, 1, null, null, "natural", null, null),
                new ModelSpec("resnet18", null, null),
                method,
                new MemorySpec("herding", 1, null),
                new TrainingSpec(
                        1,
                        null,
                        4,
                        new OptimizerSpec("sgd", 0.01, 0.9, 5e-4, false, null, null),
                        new ScheduleSpec("cosine", null, null),
                        null));
        LocalRun.Result result = LocalRun.run(engine, spec, dir.resolve("run"), Device.cpu(), p -> {});
        assertThat(result.plan().spec().training().augment()).isTrue();
        assertThat(result.plan().classNames()).containsExactlyElementsOf(CLASSES);
        assertThat(result.phases()).hasSize(2);
        assertThat(result.phases().get(1).exemplarCount()).isEqualTo(3);
        // exemplars are the stored 256×256 images
        assertThat(result.phases().get(1).memoryBytes()).isEqualTo(3L * 256 * 256 * 3);
        assertThat(result.phases().get(1).accuracyRow()).hasSize(2);
        assertThat(Double.isNaN(result.phases().get(1).cnnAccuracy())).isFalse();
    }

    @Test
    void readerTakesTheMetaSplitAndTransformsCropTo224() throws Exception {
        Path root = writeFood101();
        DatasetSplits splits = Food101Reader.read(root, "food101", BatchTransform.HIGH_RES_STORED_SIZE, 2);
        assertThat(splits.train().size()).isEqualTo(6);
        assertThat(splits.test().size()).isEqualTo(3);
        assertThat(splits.train().height()).isEqualTo(256);
        assertThat(Food101Reader.imageCount(root)).isEqualTo(9);

        BatchTransform train = BatchTransform.forDataset("food101", 256, 256, 3, true);
        BatchTransform eval = BatchTransform.forDataset("food101", 256, 256, 3, false);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray batch = manager.create(
                    java.util.Arrays.copyOf(splits.test().pixels(), 2 * 256 * 256 * 3), new Shape(2, 256, 256, 3));
            assertThat(train.apply(batch, true, new Random(1)).getShape()).isEqualTo(new Shape(2, 3, 224, 224));
            NDArray centre = eval.apply(batch, false, new Random(1));
            assertThat(centre.getShape()).isEqualTo(new Shape(2, 3, 224, 224));
            // Resize(256) + CenterCrop(224): the stored square's central 224 window, normalised
            NDArray expected = batch.get(new NDIndex(":, 16:240, 16:240, :"))
                    .toType(DataType.FLOAT32, false)
                    .div(255f)
                    .sub(manager.create(new float[] {0.485f, 0.456f, 0.406f}))
                    .div(manager.create(new float[] {0.229f, 0.224f, 0.225f}))
                    .transpose(0, 3, 1, 2);
            assertThat(centre.sub(expected).abs().max().getFloat()).isLessThan(1e-4f);
        }
    }

    @Test
    void metaEntriesAndLinksCannotLeaveTheDataSet() throws Exception {
        Path root = writeFood101();
        Files.write(root.resolve("meta/test.txt"), List.of("apple_pie/../../../etc/passwd"));
        assertThatThrownBy(() -> Food101Reader.read(root, "food101", 256, 1)).isInstanceOf(DataPathException.class);

        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.copy(root.resolve("images/apple_pie/1000.jpg"), outside.resolve("9999.jpg"));
        Files.write(root.resolve("meta/test.txt"), List.of("apple_pie/9999"));
        Files.createSymbolicLink(root.resolve("images/apple_pie/9999.jpg"), outside.resolve("9999.jpg"));
        assertThatThrownBy(() -> Food101Reader.read(root, "food101", 256, 1))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("symbolic link");
    }

    @Test
    void aDataSetFolderLinkedFromOutsideTheRootsIsRefused() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path root = Files.createDirectories(dir.resolve("root"));
        Path real = writeFood101();
        Files.move(real, elsewhere.resolve("food-101"));
        Files.createSymbolicLink(root.resolve("food-101"), elsewhere.resolve("food-101"));
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(root)));
        assertThatThrownBy(() -> catalog.load(DatasetSpec.named("food101")))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("outside the data roots");
    }

    @Test
    void imagenet100KeepsOnlyItsListedClasses() throws Exception {
        Path tree = dir.resolve("imagenet");
        for (String split : List.of("train", "val")) {
            for (String wnid : List.of("n01440764", "n01443537", "n99999999")) {
                Path classDir = Files.createDirectories(tree.resolve(split).resolve(wnid));
                BufferedImage image = new BufferedImage(20, 30, BufferedImage.TYPE_INT_RGB);
                ImageIO.write(image, "png", classDir.resolve("a.png").toFile());
            }
        }
        DatasetSplits splits = ImageFolderReader.read(tree, "imagenet100", 16, 1, List.of("n01443537", "n01440764"));
        assertThat(splits.train().classNames()).containsExactly("n01440764", "n01443537");
        assertThat(splits.train().size()).isEqualTo(2);
        assertThat(DatasetCatalog.IMAGENET100_CLASSES)
                .hasSize(100)
                .doesNotHaveDuplicates()
                .contains("n01440764");
        assertThatThrownBy(() -> new DatasetCatalog(new DataRoots(List.of(dir))).load(DatasetSpec.named("imagenet100")))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("listed classes");
    }
}
