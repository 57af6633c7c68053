package org.mnemos.engine.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import org.mnemos.engine.DataPathException;

/**
 * Reads Food-101 as its archive unpacks it: {@code images/<class>/<id>.jpg} with the official split
 * in {@code meta/train.txt} and {@code meta/test.txt} (one {@code <class>/<id>} per line; 750 train
 * and 250 test images per class). Classes are the folders of {@code images/} sorted by name (the
 * order of {@code meta/classes.txt}). Images are decoded like an image folder's (shorter side to
 * {@code imageSize}, centre square) and every path is checked by its real path to stay inside the
 * data set's folder, links included.
 */
public final class Food101Reader {

    private Food101Reader() {}

    /** Whether {@code dir} looks like an unpacked Food-101 archive. */
    public static boolean isPresent(Path dir) {
        return Files.isDirectory(dir.resolve("images"))
                && Files.isRegularFile(dir.resolve("meta/train.txt"))
                && Files.isRegularFile(dir.resolve("meta/test.txt"));
    }

    /** The class folder names of {@code images/}, sorted. */
    public static List<String> classNames(Path dir) {
        Path root = ImageFolderReader.realPath(dir);
        Path images = ImageFolderReader.inside(root, root.resolve("images"));
        try (Stream<Path> entries = Files.list(images)) {
            List<String> names = entries.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .map(p -> {
                        ImageFolderReader.inside(root, p);
                        return p.getFileName().toString();
                    })
                    .sorted()
                    .toList();
            if (names.isEmpty()) {
                throw new DataPathException("images/ of " + dir.getFileName() + " has no class folders");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the images of " + dir.getFileName(), e);
        }
    }

    /** Images listed by both split files, without decoding any. */
    public static long imageCount(Path dir) {
        Path root = ImageFolderReader.realPath(dir);
        return entries(root, "train.txt").size() + entries(root, "test.txt").size();
    }

    public static DatasetSplits read(Path dir, String name, int imageSize, int threads) {
        Path root = ImageFolderReader.realPath(dir);
        List<String> classes = classNames(root);
        ExecutorService pool = ImageFolderReader.decodePool(threads);
        try {
            return new DatasetSplits(
                    readSplit(root, "train.txt", name, classes, imageSize, pool),
                    readSplit(root, "test.txt", name, classes, imageSize, pool));
        } finally {
            pool.shutdownNow();
        }
    }

    private static ImageDataset readSplit(
            Path root, String splitFile, String name, List<String> classes, int imageSize, ExecutorService pool) {
        Map<String, Integer> labelOf = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            labelOf.put(classes.get(i), i);
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String entry : entries(root, splitFile)) {
            int slash = entry.indexOf('/');
            String className = slash > 0 ? entry.substring(0, slash) : "";
            Integer label = labelOf.get(className);
            if (label == null || entry.indexOf('/', slash + 1) >= 0 || entry.contains("..")) {
                throw new DataPathException("meta/" + splitFile + " names '" + entry
                        + "', which is not <class>/<id> of a class in images/");
            }
            Path file = root.resolve("images").resolve(entry + ".jpg");
            if (!Files.isRegularFile(file)) {
                throw new DataPathException(
                        "meta/" + splitFile + " names '" + entry + "', but images/" + entry + ".jpg is missing");
            }
            files.add(ImageFolderReader.inside(root, file));
            labels.add(label);
        }
        if (files.isEmpty()) {
            throw new DataPathException("meta/" + splitFile + " lists no images");
        }
        return ImageFolderReader.decode("meta/" + splitFile, files, labels, name, classes, imageSize, pool);
    }

    private static List<String> entries(Path root, String splitFile) {
        Path file = ImageFolderReader.inside(root, root.resolve("meta").resolve(splitFile));
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read meta/" + splitFile, e);
        }
    }
}
