package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.DataPathException;

class ImageFolderReaderTest {

    @TempDir
    Path temp;

    static void image(Path file, int width, int height, Color fill, String format) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(fill);
        g.fillRect(0, 0, width, height);
        g.dispose();
        Files.createDirectories(file.getParent());
        assertThat(ImageIO.write(image, format, file.toFile())).isTrue();
    }

    /** A tree with classes "red" and "blue" (written in reverse order) and a test/ folder. */
    static Path writeTree(Path dir) throws Exception {
        image(dir.resolve("train/red/a.png"), 20, 10, Color.RED, "png");
        image(dir.resolve("train/red/b.jpg"), 10, 30, Color.RED, "jpg");
        image(dir.resolve("train/blue/c.PNG"), 16, 16, Color.BLUE, "png");
        Files.writeString(dir.resolve("train/blue/notes.txt"), "ignored");
        image(dir.resolve("test/blue/d.jpeg"), 40, 12, Color.BLUE, "jpg");
        return dir;
    }

    @Test
    void readsSortedClassesResizedToASquare() throws Exception {
        Path dir = writeTree(temp.resolve("tiny"));
        DatasetSplits splits = ImageFolderReader.read(dir, "imagefolder", 8, 2);
        ImageDataset train = splits.train();
        assertThat(train.classNames()).containsExactly("blue", "red");
        assertThat(train.labels()).containsExactly(0, 1, 1);
        assertThat(train.height()).isEqualTo(8);
        assertThat(train.width()).isEqualTo(8);
        assertThat(train.channels()).isEqualTo(3);
        // blue PNG, every pixel (0, 0, 255)
        for (int p = 0; p < 64; p++) {
            assertThat(train.pixels()[3 * p] & 0xff).isZero();
            assertThat(train.pixels()[3 * p + 2] & 0xff).isEqualTo(255);
        }
        // red JPEG (lossy): centre pixel close to (255, 0, 0)
        int centre = 2 * 192 + (4 * 8 + 4) * 3;
        assertThat(train.pixels()[centre] & 0xff).isGreaterThan(230);
        assertThat(train.pixels()[centre + 2] & 0xff).isLessThan(30);
        assertThat(splits.test().labels()).containsExactly(0);
    }

    @Test
    void centreCropKeepsTheMiddleOfTheLongerSide() throws Exception {
        // 30 wide, 10 high: left third black, middle third green, right third black
        BufferedImage image = new BufferedImage(30, 10, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.GREEN);
        g.fillRect(10, 0, 10, 10);
        g.dispose();
        Path file = temp.resolve("wide.png");
        ImageIO.write(image, "png", file.toFile());
        byte[] out = new byte[5 * 5 * 3];
        ImageFolderReader.decodeInto(file, 5, out, 0);
        for (int p = 0; p < 25; p++) {
            assertThat(out[3 * p + 1] & 0xff).as("pixel %d green", p).isGreaterThan(200);
        }
    }

    @Test
    void reportsMissingFoldersAndUndecodableFiles() throws Exception {
        Path dir = temp.resolve("broken");
        image(dir.resolve("train/a/x.png"), 4, 4, Color.RED, "png");
        assertThatThrownBy(() -> ImageFolderReader.read(dir, "imagefolder", 4, 1))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("val/");
        Files.createDirectories(dir.resolve("val/a"));
        Files.writeString(dir.resolve("val/a/bad.png"), "not a png");
        assertThatThrownBy(() -> ImageFolderReader.read(dir, "imagefolder", 4, 1))
                .hasMessageContaining("bad.png");
    }

    @Test
    void linksThatLeaveTheImageFolderAreRefusedAtEveryLevel() throws Exception {
        Path outside = temp.resolve("outside");
        image(outside.resolve("secret/s.png"), 4, 4, Color.GREEN, "png");

        Path classLink = writeTree(temp.resolve("class-link"));
        Files.createSymbolicLink(classLink.resolve("train/green"), outside.resolve("secret"));
        assertThatThrownBy(() -> ImageFolderReader.classNames(classLink))
                .isInstanceOf(DataPathException.class)
                .hasMessage("'train/green' in image folder 'class-link' is a symbolic link that leads outside it;"
                        + " links may only point inside the image folder");

        Path fileLink = writeTree(temp.resolve("file-link"));
        Files.createSymbolicLink(fileLink.resolve("train/red/s.png"), outside.resolve("secret/s.png"));
        assertThatThrownBy(() -> ImageFolderReader.read(fileLink, "imagefolder", 4, 1))
                .isInstanceOf(DataPathException.class)
                .hasMessageStartingWith(
                        "'train/red/s.png' in image folder 'file-link' is a symbolic link that leads outside it");

        Path splitLink = temp.resolve("split-link");
        image(splitLink.resolve("train/green/a.png"), 4, 4, Color.GREEN, "png");
        Files.createSymbolicLink(splitLink.resolve("val"), outside);
        Files.createDirectories(outside.resolve("green"));
        assertThatThrownBy(() -> ImageFolderReader.read(splitLink, "imagefolder", 4, 1))
                .isInstanceOf(DataPathException.class)
                .hasMessageStartingWith("'val' in image folder 'split-link'");
    }

    @Test
    void linksInsideTheImageFolderAreFollowed() throws Exception {
        Path dir = writeTree(temp.resolve("inner-links"));
        Files.createSymbolicLink(dir.resolve("train/blue/again.png"), dir.resolve("train/blue/c.PNG"));
        Files.createSymbolicLink(dir.resolve("train/crimson"), dir.resolve("train/red"));
        DatasetSplits splits = ImageFolderReader.read(dir, "imagefolder", 8, 1);
        assertThat(splits.train().classNames()).containsExactly("blue", "crimson", "red");
        assertThat(splits.train().labels()).containsExactly(0, 0, 1, 1, 2, 2);
    }
}
