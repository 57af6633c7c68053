package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.DataPathException;
import org.mnemos.engine.spec.DatasetSpec;

class DatasetDownloaderTest {

    @TempDir
    Path temp;

    private HttpServer server;
    private final Map<String, byte[]> served = new HashMap<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = served.get(exchange.getRequestURI().getPath());
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String base(String dataset) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + dataset + "/";
    }

    static String md5(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    /** Serves a tiny MNIST set and returns the MD5 table for it. */
    private Map<String, String> serveTinyMnist() throws Exception {
        Map<String, byte[]> files = Map.of(
                "train-images-idx3-ubyte.gz", gzip(IdxReaderTest.imagesFile(2, 3, 3, IdxReader.IMAGES_MAGIC)),
                "train-labels-idx1-ubyte.gz", gzip(IdxReaderTest.labelsFile(new int[] {4, 2})),
                "t10k-images-idx3-ubyte.gz", gzip(IdxReaderTest.imagesFile(1, 3, 3, IdxReader.IMAGES_MAGIC)),
                "t10k-labels-idx1-ubyte.gz", gzip(IdxReaderTest.labelsFile(new int[] {8})));
        Map<String, String> sums = new HashMap<>();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            served.put("/mnist/" + file.getKey(), file.getValue());
            sums.put(file.getKey(), md5(file.getValue()));
        }
        return sums;
    }

    private static List<Path> everything(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir)).toList();
        }
    }

    @Test
    void goodChecksumsInstallReadableFilesThroughTheCatalog() throws Exception {
        Map<String, String> sums = serveTinyMnist();
        DatasetDownloader downloader =
                new DatasetDownloader(Map.of("mnist", base("mnist")), Map.of("mnist", sums), Duration.ofSeconds(20));
        Path root = Files.createDirectories(temp.resolve("root"));
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(root)), downloader);
        assertThat(catalog.describe(DatasetSpec.named("mnist")).available()).isFalse();
        DatasetSplits splits = catalog.load(DatasetSpec.named("mnist"));
        assertThat(splits.train().labels()).containsExactly(4, 2);
        assertThat(splits.test().labels()).containsExactly(8);
        assertThat(everything(root))
                .containsExactlyInAnyOrder(
                        root.resolve("mnist"),
                        root.resolve("mnist/train-images-idx3-ubyte.gz"),
                        root.resolve("mnist/train-labels-idx1-ubyte.gz"),
                        root.resolve("mnist/t10k-images-idx3-ubyte.gz"),
                        root.resolve("mnist/t10k-labels-idx1-ubyte.gz"));
    }

    @Test
    void aBadChecksumRejectsTheDownloadAndLeavesNothing() throws Exception {
        Map<String, String> sums = new HashMap<>(serveTinyMnist());
        sums.put("t10k-images-idx3-ubyte.gz", "00000000000000000000000000000000");
        DatasetDownloader downloader =
                new DatasetDownloader(Map.of("mnist", base("mnist")), Map.of("mnist", sums), Duration.ofSeconds(20));
        Path root = Files.createDirectories(temp.resolve("root"));
        assertThatThrownBy(() -> downloader.download("mnist", root))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining("t10k-images-idx3-ubyte.gz");
        assertThat(everything(root)).isEmpty();
    }

    @Test
    void theOfficialChecksumsRejectAForeignFile() throws Exception {
        serveTinyMnist();
        DatasetDownloader downloader =
                new DatasetDownloader(Map.of("mnist", base("mnist")), Map.of(), Duration.ofSeconds(20));
        Path root = Files.createDirectories(temp.resolve("root"));
        assertThatThrownBy(() -> downloader.download("mnist", root))
                .hasMessageContaining("f68b3c2dcbeaaa9fbdd348bbdeb94873");
        assertThat(everything(root)).isEmpty();
    }

    @Test
    void httpErrorsAreReported() throws Exception {
        DatasetDownloader downloader =
                new DatasetDownloader(Map.of("fashion-mnist", base("nothing")), Map.of(), Duration.ofSeconds(20));
        Path root = Files.createDirectories(temp.resolve("root"));
        assertThatThrownBy(() -> downloader.download("fashion-mnist", root)).hasMessageContaining("HTTP 404");
        assertThat(everything(root)).isEmpty();
    }

    private static byte[] tarGz(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void cifarTarballsAreExtractedIntoTheDatasetDirectory() throws Exception {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        for (int b = 1; b <= 5; b++) {
            entries.put("cifar-10-batches-py/data_batch_" + b, CifarReaderTest.py2Batch(b, new int[] {b}, "labels"));
        }
        entries.put("cifar-10-batches-py/test_batch", CifarReaderTest.py2Batch(0, new int[] {0, 9}, "labels"));
        byte[] tarball = tarGz(entries);
        served.put("/cifar/cifar-10-python.tar.gz", tarball);
        DatasetDownloader downloader = new DatasetDownloader(
                Map.of("cifar10", base("cifar")),
                Map.of("cifar10", Map.of("cifar-10-python.tar.gz", md5(tarball))),
                Duration.ofSeconds(20));
        Path root = Files.createDirectories(temp.resolve("root"));
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(root)), downloader);
        DatasetSplits splits = catalog.load(DatasetSpec.named("cifar10"));
        assertThat(splits.train().labels()).containsExactly(1, 2, 3, 4, 5);
        assertThat(splits.test().labels()).containsExactly(0, 9);
        assertThat(root.resolve("cifar-10/cifar-10-batches-py/test_batch")).isRegularFile();
        assertThat(root.resolve("cifar-10/cifar-10-python.tar.gz")).doesNotExist();
        try (Stream<Path> top = Files.list(root)) {
            assertThat(top.toList()).containsExactly(root.resolve("cifar-10"));
        }
    }

    @Test
    void archiveEntriesEscapingTheFolderAreRefused() throws Exception {
        byte[] tarball = tarGz(Map.of("../evil.txt", new byte[] {1}));
        served.put("/cifar/cifar-100-python.tar.gz", tarball);
        DatasetDownloader downloader = new DatasetDownloader(
                Map.of("cifar100", base("cifar")),
                Map.of("cifar100", Map.of("cifar-100-python.tar.gz", md5(tarball))),
                Duration.ofSeconds(20));
        Path root = Files.createDirectories(temp.resolve("root"));
        assertThatThrownBy(() -> downloader.download("cifar100", root)).hasMessageContaining("outside");
        assertThat(everything(temp)).containsExactly(root);
    }
}
