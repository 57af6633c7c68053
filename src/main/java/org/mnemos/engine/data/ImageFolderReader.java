package org.mnemos.engine.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.mnemos.engine.DataPathException;

/**
 * Reads an image tree {@code <dir>/train/<class>/*.{jpg,jpeg,png}} and {@code <dir>/val/<class>/...}
 * (or {@code test/}). Classes are the train subfolders sorted by name; each image is decoded with
 * ImageIO, its shorter side scaled to {@code imageSize} and the centre square cropped, giving RGB
 * HWC bytes. Decoding runs on a bounded pool. Symbolic links are followed only while they stay
 * inside the image folder: every split, class folder and image is checked by its real path, so a
 * link cannot make the service read (and hand back in exemplar downloads) files from elsewhere.
 */
public final class ImageFolderReader {

    public static final int DEFAULT_IMAGE_SIZE = 64;
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");

    private ImageFolderReader() {}

    /** The sorted class folder names of {@code <dir>/train}. */
    public static List<String> classNames(Path dir) {
        Path root = realPath(dir);
        Path train = root.resolve("train");
        if (!Files.isDirectory(train)) {
            throw new DataPathException(
                    dir
                            + " has no train/ folder; an image folder needs train/<class>/ and val/<class>/ (or test/<class>/)");
        }
        List<String> names = subfolders(root, inside(root, train));
        if (names.isEmpty()) {
            throw new DataPathException(train + " has no class folders");
        }
        return names;
    }

    /** {@code <dir>/val} or, when absent, {@code <dir>/test}. */
    public static Path testDirectory(Path dir) {
        Path root = realPath(dir);
        for (String name : List.of("val", "test")) {
            Path candidate = root.resolve(name);
            if (Files.isDirectory(candidate)) {
                return inside(root, candidate);
            }
        }
        throw new DataPathException(dir + " has neither val/ nor test/ folder with class subfolders");
    }

    /** The images the splits hold (what {@link #read} would decode), counted without decoding them. */
    public static long imageCount(Path dir) {
        Path root = realPath(dir);
        List<String> classes = classNames(root);
        long count = 0;
        for (Path split : List.of(root.resolve("train"), testDirectory(root))) {
            for (String name : classes) {
                Path classDir = split.resolve(name);
                if (Files.isDirectory(classDir)) {
                    count += imageFiles(root, inside(root, classDir)).size();
                }
            }
        }
        return count;
    }

    public static DatasetSplits read(Path dir, String name, int imageSize, int threads) {
        return read(dir, name, imageSize, threads, null);
    }

    /**
     * As {@link #read(Path, String, int, int)}, keeping only the classes of {@code classList} (sorted
     * by name) when it is not null: a subset of a larger tree, such as ImageNet-100 in ImageNet. Every
     * listed class must be in train/.
     */
    public static DatasetSplits read(Path dir, String name, int imageSize, int threads, List<String> classList) {
        Path root = realPath(dir);
        List<String> available = classNames(root);
        List<String> classes = available;
        Path test = testDirectory(root);
        if (classList != null) {
            List<String> missing =
                    classList.stream().filter(c -> !available.contains(c)).toList();
            if (!missing.isEmpty()) {
                throw new DataPathException("train/ of " + dir.getFileName() + " lacks " + missing.size()
                        + " listed classes, e.g. " + missing.get(0));
            }
            classes = classList.stream().sorted().toList();
        } else {
            for (String testClass : subfolders(root, test)) {
                if (!classes.contains(testClass)) {
                    throw new DataPathException(test.resolve(testClass) + " is a class that train/ does not have");
                }
            }
        }
        ExecutorService pool = decodePool(threads);
        try {
            return new DatasetSplits(
                    readSplit(root, root.resolve("train"), name, classes, imageSize, pool),
                    readSplit(root, test, name, classes, imageSize, pool));
        } finally {
            pool.shutdownNow();
        }
    }

    static ExecutorService decodePool(int threads) {
        int poolSize = Math.max(1, Math.min(threads, Runtime.getRuntime().availableProcessors()));
        return Executors.newFixedThreadPool(poolSize, runnable -> {
            Thread thread = new Thread(runnable, "imagefolder-decode");
            thread.setDaemon(true);
            return thread;
        });
    }

    private static ImageDataset readSplit(
            Path root, Path splitDir, String name, List<String> classes, int imageSize, ExecutorService pool) {
        List<Path> files = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            Path classDir = splitDir.resolve(classes.get(label));
            if (!Files.isDirectory(classDir)) {
                continue;
            }
            for (Path file : imageFiles(root, inside(root, classDir))) {
                files.add(file);
                labelList.add(label);
            }
        }
        if (files.isEmpty()) {
            throw new DataPathException(splitDir + " holds no .jpg, .jpeg or .png images in its class folders");
        }
        return decode(splitDir.toString(), files, labelList, name, classes, imageSize, pool);
    }

    /** Decodes {@code files} (checked real paths) into one data set of {@code imageSize} squares. */
    static ImageDataset decode(
            String what,
            List<Path> files,
            List<Integer> labelList,
            String name,
            List<String> classes,
            int imageSize,
            ExecutorService pool) {
        int imageBytes = imageSize * imageSize * 3;
        byte[] pixels = new byte[Math.multiplyExact(files.size(), imageBytes)];
        List<Future<?>> tasks = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            int index = i;
            tasks.add(pool.submit(() -> decodeInto(files.get(index), imageSize, pixels, index * imageBytes)));
        }
        try {
            for (Future<?> task : tasks) {
                task.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("decoding " + what + " failed", e.getCause());
        }
        int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        return new ImageDataset(name, pixels, labels, imageSize, imageSize, 3, classes);
    }

    /** Scales the shorter side to {@code size}, crops the centre square and writes RGB bytes at {@code offset}. */
    static void decodeInto(Path file, int size, byte[] target, int offset) {
        BufferedImage source;
        try {
            source = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode image " + file, e);
        }
        if (source == null) {
            throw new DataPathException(file + " is not an image ImageIO can decode");
        }
        double scale = (double) size / Math.min(source.getWidth(), source.getHeight());
        int scaledWidth = Math.max(size, (int) Math.round(source.getWidth() * scale));
        int scaledHeight = Math.max(size, (int) Math.round(source.getHeight() * scale));
        BufferedImage square = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = square.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, -(scaledWidth - size) / 2, -(scaledHeight - size) / 2, scaledWidth, scaledHeight, null);
        } finally {
            g.dispose();
        }
        int[] rgb = square.getRGB(0, 0, size, size, null, 0, size);
        for (int p = 0; p < rgb.length; p++) {
            target[offset + 3 * p] = (byte) (rgb[p] >> 16);
            target[offset + 3 * p + 1] = (byte) (rgb[p] >> 8);
            target[offset + 3 * p + 2] = (byte) rgb[p];
        }
    }

    private static List<String> subfolders(Path root, Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .map(p -> {
                        inside(root, p);
                        // the class is named by the folder (or link) here, not by where a link points
                        return p.getFileName().toString();
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The real paths of the images in {@code classDir}, sorted by their names there. */
    private static List<Path> imageFiles(Path root, Path classDir) {
        try (Stream<Path> entries = Files.list(classDir)) {
            return entries.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return !n.startsWith(".") && EXTENSIONS.stream().anyMatch(n::endsWith);
                    })
                    .sorted()
                    .map(p -> inside(root, p))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + classDir, e);
        }
    }

    static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new DataPathException(
                    dir.getFileName() + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /** The real path of {@code entry} under the image folder {@code root}; refused when a link leads out of it. */
    static Path inside(Path root, Path entry) {
        Path real = realPath(entry);
        if (!real.startsWith(root)) {
            throw new DataPathException("'" + root.relativize(entry) + "' in image folder '" + root.getFileName()
                    + "' is a symbolic link that leads outside it; links may only point inside the image folder");
        }
        return real;
    }
}
