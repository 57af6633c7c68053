package org.mnemos.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.mnemos.engine.DataPathException;

/**
 * Fetches the official files of a known data set from a base URL, checks each file's MD5 against
 * the official list, and only then moves them (tarballs extracted) into {@code <root>/<dataset
 * directory>/}. Everything is staged in a temporary folder inside the root, so a failed or
 * mismatching download leaves nothing behind.
 */
public final class DatasetDownloader {

    /** Official hosts, keyed by catalog data-set name. */
    public static final Map<String, String> OFFICIAL_BASE_URLS = Map.of(
            "mnist", "http://yann.lecun.com/exdb/mnist/",
            "fashion-mnist", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "cifar10", "https://www.cs.toronto.edu/~kriz/",
            "cifar100", "https://www.cs.toronto.edu/~kriz/");

    /** The files fetched per data set (CIFAR: the python version). */
    public static final Map<String, List<String>> FILES = Map.of(
            "mnist",
                    List.of(
                            "train-images-idx3-ubyte.gz",
                            "train-labels-idx1-ubyte.gz",
                            "t10k-images-idx3-ubyte.gz",
                            "t10k-labels-idx1-ubyte.gz"),
            "fashion-mnist",
                    List.of(
                            "train-images-idx3-ubyte.gz",
                            "train-labels-idx1-ubyte.gz",
                            "t10k-images-idx3-ubyte.gz",
                            "t10k-labels-idx1-ubyte.gz"),
            "cifar10", List.of("cifar-10-python.tar.gz"),
            "cifar100", List.of("cifar-100-python.tar.gz"));

    /** Official MD5 of each downloadable file, keyed by data set then file name. */
    public static final Map<String, Map<String, String>> OFFICIAL_MD5 = Map.of(
            "mnist",
                    Map.of(
                            "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                            "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
                            "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                            "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
            "fashion-mnist",
                    Map.of(
                            "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                            "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
                            "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
                            "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
            "cifar10",
                    Map.of(
                            "cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a",
                            "cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530"),
            "cifar100",
                    Map.of(
                            "cifar-100-python.tar.gz", "eb9058c3a382ffc7106e4002c42a8d85",
                            "cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8"));

    /** Directory names under a root, keyed by catalog data-set name. */
    public static final Map<String, String> DIRECTORIES =
            Map.of("mnist", "mnist", "fashion-mnist", "fashion-mnist", "cifar10", "cifar-10", "cifar100", "cifar-100");

    private final Map<String, String> baseUrls;
    private final Map<String, Map<String, String>> md5;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param baseUrlOverrides data-set name to base URL (ending in {@code /}), replacing the official host
     * @param md5Overrides data-set name to (file name to MD5), replacing the official checksums of those files
     */
    public DatasetDownloader(
            Map<String, String> baseUrlOverrides, Map<String, Map<String, String>> md5Overrides, Duration timeout) {
        Map<String, String> urls = new HashMap<>(OFFICIAL_BASE_URLS);
        baseUrlOverrides.forEach((name, url) -> urls.put(name, url.endsWith("/") ? url : url + "/"));
        this.baseUrls = Map.copyOf(urls);
        Map<String, Map<String, String>> sums = new HashMap<>();
        OFFICIAL_MD5.forEach((name, files) -> sums.put(name, new HashMap<>(files)));
        md5Overrides.forEach((name, files) ->
                sums.computeIfAbsent(name, n -> new HashMap<>()).putAll(files));
        this.md5 = Map.copyOf(sums);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    public static DatasetDownloader official() {
        return new DatasetDownloader(Map.of(), Map.of(), Duration.ofMinutes(30));
    }

    public boolean canDownload(String datasetName) {
        return FILES.containsKey(datasetName);
    }

    /**
     * Downloads, verifies and installs a data set's files into {@code <root>/<directory>/}.
     *
     * @return the data-set directory
     * @throws DataPathException on an HTTP error, checksum mismatch or unsafe archive entry (nothing is left behind)
     */
    public synchronized Path download(String datasetName, Path root) {
        List<String> files = FILES.get(datasetName);
        if (files == null) {
            throw new IllegalArgumentException(
                    "no downloadable files are known for " + datasetName + "; known: " + FILES.keySet());
        }
        Path target = root.resolve(DIRECTORIES.get(datasetName));
        Path staging;
        try {
            staging = Files.createTempDirectory(root, "." + DIRECTORIES.get(datasetName) + ".download-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a download folder in " + root, e);
        }
        try {
            for (String file : files) {
                Path fetched = fetchVerified(datasetName, file, staging);
                if (file.endsWith(".tar.gz")) {
                    extractTarGz(fetched, staging);
                    Files.delete(fetched);
                }
            }
            install(staging, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("downloading " + datasetName + " into " + root + " failed", e);
        } finally {
            deleteRecursively(staging);
        }
    }

    private Path fetchVerified(String datasetName, String file, Path staging) throws IOException {
        String expected = md5.get(datasetName).get(file);
        if (expected == null) {
            throw new DataPathException(
                    "no MD5 is known for " + file + " of " + datasetName + "; refusing to download it unchecked");
        }
        URI uri = URI.create(baseUrls.get(datasetName) + file);
        Path part = staging.resolve(file + ".part");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<Path> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofFile(part));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataPathException("download of " + uri + " was interrupted");
        } catch (IOException e) {
            throw new DataPathException("cannot download " + uri + ": " + e.getMessage());
        }
        if (response.statusCode() != 200) {
            throw new DataPathException("downloading " + uri + " answered HTTP " + response.statusCode());
        }
        String actual = md5Hex(part);
        if (!actual.equalsIgnoreCase(expected)) {
            Files.deleteIfExists(part);
            throw new DataPathException("checksum mismatch for " + uri + ": MD5 " + actual + ", expected " + expected
                    + "; the download was deleted");
        }
        Path verified = staging.resolve(file);
        Files.move(part, verified, StandardCopyOption.ATOMIC_MOVE);
        return verified;
    }

    /** Extracts regular files and folders; entries that would land outside {@code into} are refused. */
    static void extractTarGz(Path archive, Path into) throws IOException {
        Path base = into.toAbsolutePath().normalize();
        try (InputStream raw = Files.newInputStream(archive);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw, 1 << 16))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path destination = base.resolve(entry.getName()).normalize();
                if (!destination.startsWith(base) || destination.equals(base)) {
                    throw new DataPathException(
                            archive.getFileName() + " has an entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(destination);
                } else if (entry.isFile()) {
                    Files.createDirectories(destination.getParent());
                    try (OutputStream out = Files.newOutputStream(destination)) {
                        tar.transferTo(out);
                    }
                }
                // links and devices are skipped: the official archives hold none
            }
        }
    }

    /** Moves every top-level entry of the staging folder into the target, one atomic rename each. */
    private static void install(Path staging, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> entries = Files.list(staging)) {
            for (Path entry : entries.toList()) {
                Path destination = target.resolve(entry.getFileName().toString());
                try {
                    Files.move(entry, destination, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    throw new DataPathException(
                            destination + " already exists; remove it or the incomplete data set first");
                }
            }
        }
    }

    static String md5Hex(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up " + dir, e);
        }
    }
}
