package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.PhaseExemplars;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.PyCilStateDict;
import org.mnemos.engine.model.interop.SafeTensors;
import org.mnemos.engine.model.interop.SafeTensorsFile;
import org.mnemos.engine.model.interop.Tensor;
import org.mnemos.engine.phase.PhaseState;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;
import org.mnemos.support.TestExperiments;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(
        classes = ArtifactsTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.embedded-db.port=0",
            "mnemos.embedded-db.fsync=false",
            "mnemos.embedded-db.ephemeral=true",
            "mnemos.artifacts.dir=target/test-artifacts"
        })
class PhaseDownloadsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    PhaseArtifacts downloads;

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path stateDir;

    private final HttpClient http = HttpClient.newHttpClient();

    private static RunPlan plan() {
        ExperimentSpec spec = new ExperimentSpec(
                "t",
                1L,
                null,
                DatasetSpec.named("cifar10"),
                null,
                new ModelSpec("resnet32", null, "cosine"),
                null,
                null,
                null);
        return new RunPlan(
                spec,
                List.of(3, 7, 1, 0),
                List.of(List.of(3, 7), List.of(1, 0)),
                // names follow the class order 3, 7, 1, 0
                List.of("cat/Dog", "horse", "auto mobile", "airplane"));
    }

    @Test
    void exemplarImagesRoundTripThroughThePngsOfTheZip() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        int h = 2;
        int w = 3;
        byte[] pixels = new byte[3 * h * w * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 37 + 11);
        }
        ExemplarSet set = new ExemplarSet(
                pixels,
                new int[] {3, 3, 1},
                new int[] {120, 5, -1},
                new ExemplarKind[] {ExemplarKind.REAL, ExemplarKind.REAL, ExemplarKind.SYNTHETIC},
                h,
                w,
                3);
        set.write(stateDir.resolve(ExemplarSet.FILE_NAME));
        byte[] params = new byte[4096];
        new java.util.Random(7).nextBytes(params);
        Files.write(stateDir.resolve("model.params"), params);
        Files.writeString(stateDir.resolve("state.json"), "{\"phase\":1}");

        downloads.storeDownloads(experiment, 1, plan(), stateDir);

        HttpResponse<byte[]> response = get(experiment, 1, "exemplars");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/zip");
        assertThat(response.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(
                        d -> assertThat(d).startsWith("attachment").contains(experiment + "-phase1-exemplars.zip"));
        assertThat(response.headers().firstValue("ETag")).contains("\"" + sha256(response.body()) + "\"");

        Map<String, byte[]> entries = unzip(response.body());
        assertThat(entries)
                .containsOnlyKeys(
                        "3-cat_dog/120.png", "3-cat_dog/5.png", "1-auto_mobile/synthetic-2.png", "manifest.json");
        String[] files = {"3-cat_dog/120.png", "3-cat_dog/5.png", "1-auto_mobile/synthetic-2.png"};
        for (int i = 0; i < files.length; i++) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(entries.get(files[i])));
            assertThat(image.getWidth()).isEqualTo(w);
            assertThat(image.getHeight()).isEqualTo(h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        int expected = pixels[i * h * w * 3 + (y * w + x) * 3 + c] & 0xff;
                        assertThat(image.getRaster().getSample(x, y, c))
                                .as("%s (%d,%d) band %d", files[i], x, y, c)
                                .isEqualTo(expected);
                    }
                }
            }
        }

        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertThat(manifest.get("phase").asInt()).isEqualTo(1);
        assertThat(manifest.get("classes").toString()).isEqualTo("[3,7,1,0]");
        assertThat(manifest.get("counts").toString()).isEqualTo("{\"1\":1,\"3\":2}");
        assertThat(manifest.get("memoryBytes").asLong()).isEqualTo(pixels.length);
        assertThat(manifest.get("images")).hasSize(3);
        JsonNode synthetic = manifest.get("images").get(2);
        assertThat(synthetic.get("file").asString()).isEqualTo("1-auto_mobile/synthetic-2.png");
        assertThat(synthetic.get("label").asInt()).isEqualTo(1);
        assertThat(synthetic.get("className").asString()).isEqualTo("auto mobile");
        assertThat(synthetic.get("sourceIndex").asInt()).isEqualTo(-1);
        assertThat(synthetic.get("kind").asString()).isEqualTo("synthetic");

        HttpResponse<byte[]> checkpoint = get(experiment, 1, "checkpoint");
        assertThat(checkpoint.statusCode()).isEqualTo(200);
        Map<String, byte[]> ckpt = unzip(checkpoint.body());
        assertThat(ckpt).containsOnlyKeys("exemplars.bin", "model.params", "state.json", "manifest.json");
        assertThat(ckpt.get("model.params")).isEqualTo(params);
        JsonNode ckptManifest = JSON.readTree(ckpt.get("manifest.json"));
        assertThat(ckptManifest.get("files").get("model.params").asString()).isEqualTo(sha256(params));
        assertThat(ckptManifest.get("model").get("backbone").asString()).isEqualTo("resnet32");
        assertThat(ckptManifest.get("classes").toString()).isEqualTo("[3,7,1,0]");
        assertThat(ckptManifest.get("specHash").asString()).isEqualTo("hash");
        assertThat(ckptManifest.get("pytorchVersion").asString()).isEqualTo("2.7.1");
        assertThat(ckptManifest.get("djlVersion").asString()).isEqualTo("0.35.1");
    }

    @Test
    void aCheckpointFromTheEngineLoadsBackToTheSameAccuracy(@TempDir Path work) throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(work))));
        ExperimentSpec spec = new ExperimentSpec(
                "roundtrip",
                5L,
                null,
                new DatasetSpec("synthetic", null, null, 4, 40, 10, 8, 1),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", List.of(32), "linear"),
                MethodSpec.named("icarl"),
                new MemorySpec("herding", 5, null),
                new TrainingSpec(
                        null, 20, 16, new OptimizerSpec("sgd", 0.05, 0.9, 0.0, false, null, null), null, false));
        RunPlan plan = engine.plan(spec);
        Path state = Files.createDirectories(work.resolve("phase-0"));
        PhaseMetrics trained = engine.runPhase(plan, 0, null, state, Device.cpu(), p -> {}, () -> false)
                .metrics();

        downloads.storeDownloads(experiment, 0, plan, state);
        Map<String, byte[]> checkpoint = unzip(get(experiment, 0, "checkpoint").body());
        Path restored = Files.createDirectories(work.resolve("restored"));
        for (Map.Entry<String, byte[]> file : checkpoint.entrySet()) {
            Files.write(restored.resolve(file.getKey()), file.getValue());
        }
        PhaseMetrics reloaded = engine.evaluate(plan, 0, restored, Device.cpu());

        assertThat(reloaded.accuracy()).isEqualTo(trained.accuracy());
        assertThat(reloaded.perClassAccuracy()).isEqualTo(trained.perClassAccuracy());
        JsonNode exemplars =
                JSON.readTree(unzip(get(experiment, 0, "exemplars").body()).get("manifest.json"));
        assertThat(exemplars.get("exemplarCount").asInt())
                .isEqualTo(trained.exemplarCount())
                .isPositive();
        assertThat(exemplars.get("memoryBytes").asLong()).isEqualTo(trained.memoryBytes());

        HttpResponse<byte[]> djl = get(experiment, 0, "checkpoint?format=djl");
        assertThat(djl.body()).isEqualTo(get(experiment, 0, "checkpoint").body());
        HttpResponse<byte[]> bogus = get(experiment, 0, "checkpoint?format=onnx");
        assertThat(bogus.statusCode()).isEqualTo(400);
        assertThat(new String(bogus.body())).contains("format must be djl or pytorch");

        HttpResponse<byte[]> response = get(experiment, 0, "checkpoint?format=pytorch");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(d -> assertThat(d).contains(experiment + "-phase0-checkpoint-pytorch.zip"));
        Map<String, byte[]> pytorch = unzip(response.body());
        assertThat(pytorch).containsOnlyKeys("model.safetensors", "config.json", "load.py");
        JsonNode config = JSON.readTree(pytorch.get("config.json"));
        assertThat(config.get("backbone").asString()).isEqualTo("mlp");
        assertThat(config.get("head").asString()).isEqualTo("linear");
        assertThat(config.get("reportedClassifier").asString()).isEqualTo("nme");
        assertThat(config.get("classes").toString()).isEqualTo("[0,1]");
        assertThat(config.get("labelMap").toString()).isEqualTo("{\"0\":0,\"1\":1}");
        assertThat(config.get("imageSize").toString()).isEqualTo("[8,8]");
        assertThat(config.get("classMeans")).hasSize(2);
        assertThat(config.get("classMeans").get(0)).hasSize(32);
        assertThat(new String(pytorch.get("load.py"))).contains("def load(directory)");

        // the weights are the phase's, bit for bit, under PyCIL's names
        Path weights = work.resolve("model.safetensors");
        Files.write(weights, pytorch.get("model.safetensors"));
        SafeTensorsFile file = SafeTensors.read(weights);
        assertThat(file.metadata()).containsEntry("classes", "[0,1]");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            PhaseState saved = PhaseState.read(restored);
            IncrementalNet net = IncrementalNet.rebuild(spec.model(), 1, 8, 8, saved.segmentSizes(), manager);
            saved.loadParameters(restored, net, manager);
            List<Tensor> expected = PyCilStateDict.export(net);
            assertThat(file.entries())
                    .extracting(SafeTensorsFile.Entry::name)
                    .containsExactly("convnet.hidden.0.weight", "convnet.hidden.0.bias", "fc.weight", "fc.bias");
            for (Tensor tensor : expected) {
                assertThat(file.tensor(tensor.name()).data()).as(tensor.name()).isEqualTo(tensor.data());
            }
        }
    }

    @Test
    void grayscaleExemplarsKeepTheirBytes() throws Exception {
        byte[] pixels = {0, 1, 2, 127, (byte) 128, (byte) 200, (byte) 254, (byte) 255};
        ExemplarSet set = new ExemplarSet(
                pixels,
                new int[] {0, 0},
                new int[] {9, 10},
                new ExemplarKind[] {ExemplarKind.REAL, ExemplarKind.OPTIMIZED},
                2,
                2,
                1);
        Path zip = stateDir.resolve("exemplars.zip");
        ((PhaseDownloads) downloads).writeExemplarsZip(PhaseExemplars.of(set), 0, plan(), zip);

        Map<String, byte[]> entries = unzip(Files.readAllBytes(zip));
        BufferedImage second = ImageIO.read(new ByteArrayInputStream(entries.get("0-airplane/10.png")));
        assertThat(second.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        int[] values = second.getRaster().getPixels(0, 0, 2, 2, (int[]) null);
        assertThat(values).containsExactly(128, 200, 254, 255);
        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertThat(manifest.get("images").get(1).get("kind").asString()).isEqualTo("optimized");
        assertThat(manifest.get("channels").asInt()).isEqualTo(1);
    }

    @Test
    void optimisedExemplarsComeWithTheTrainingImageTheyWereMadeFrom() throws Exception {
        byte[] pixels = {0, 1, 2, 3, 40, 50, 60, 70};
        byte[] original = {10, 20, 30, (byte) 250};
        ExemplarSet set = new ExemplarSet(
                pixels,
                new int[] {0, 0},
                new int[] {9, 10},
                new ExemplarKind[] {ExemplarKind.REAL, ExemplarKind.OPTIMIZED},
                2,
                2,
                1);
        Path zip = stateDir.resolve("exemplars-originals.zip");
        ((PhaseDownloads) downloads)
                .writeExemplarsZip(PhaseExemplars.of(set, Map.of(), Map.of(1, original)), 0, plan(), zip, Map.of());

        Map<String, byte[]> entries = unzip(Files.readAllBytes(zip));
        assertThat(entries)
                .containsOnlyKeys(
                        "0-airplane/9.png", "0-airplane/10.png", "0-airplane/10-original.png", "manifest.json");
        BufferedImage before = ImageIO.read(new ByteArrayInputStream(entries.get("0-airplane/10-original.png")));
        assertThat(before.getRaster().getPixels(0, 0, 2, 2, (int[]) null)).containsExactly(10, 20, 30, 250);
        BufferedImage after = ImageIO.read(new ByteArrayInputStream(entries.get("0-airplane/10.png")));
        assertThat(after.getRaster().getPixels(0, 0, 2, 2, (int[]) null)).containsExactly(40, 50, 60, 70);
        JsonNode images = JSON.readTree(entries.get("manifest.json")).get("images");
        assertThat(images.get(1).get("original").asString()).isEqualTo("0-airplane/10-original.png");
        assertThat(images.get(0).has("original")).isFalse();
    }

    @Test
    void optimisedExemplarsComeWithTheirExactValuesAsNpyAndARoundedClippedPng() throws Exception {
        float[] optimised = {-3.7f, 12.4f, 99.5f, 255.6f, 0.25f, 17.75f, 128.5f, 300f};
        ExemplarSet stored = new ExemplarSet(
                new byte[8],
                new int[] {0, 0},
                new int[] {9, 10},
                new ExemplarKind[] {ExemplarKind.REAL, ExemplarKind.REAL},
                2,
                2,
                1);
        for (ExemplarStorage storage : List.of(ExemplarStorage.FLOAT32, ExemplarStorage.FLOAT16)) {
            ExemplarSet set = stored.withValues(
                    optimised, new ExemplarKind[] {ExemplarKind.OPTIMIZED, ExemplarKind.OPTIMIZED}, storage);
            Path zip = stateDir.resolve("exemplars-" + storage.wireName() + ".zip");
            ((PhaseDownloads) downloads).writeExemplarsZip(PhaseExemplars.of(set), 0, plan(), zip);

            Map<String, byte[]> entries = unzip(Files.readAllBytes(zip));
            JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
            assertThat(manifest.get("storage").asString()).isEqualTo(storage.wireName());
            assertThat(manifest.get("values").asString()).isEqualTo("values.npy");
            assertThat(manifest.get("memoryBytes").asLong()).isEqualTo(8L * storage.bytesPerValue());
            assertThat(manifest.get("images").get(1).get("kind").asString()).isEqualTo("optimized");
            assertThat(manifest.get("images").get(1).get("index").asInt()).isEqualTo(1);

            ByteBuffer npy = ByteBuffer.wrap(entries.get("values.npy")).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            npy.get(magic);
            assertThat(magic).containsExactly((byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0);
            int headerLength = npy.getShort() & 0xffff;
            byte[] header = new byte[headerLength];
            npy.get(header);
            String dict = new String(header, java.nio.charset.StandardCharsets.US_ASCII);
            assertThat((10 + headerLength) % 64).isZero();
            assertThat(dict)
                    .contains("'descr': '" + (storage == ExemplarStorage.FLOAT32 ? "<f4" : "<f2") + "'")
                    .contains("'fortran_order': False")
                    .contains("'shape': (2, 2, 2, 1)")
                    .endsWith("\n");
            for (int i = 0; i < optimised.length; i++) {
                float expected = storage.quantise(optimised[i]);
                float actual = storage == ExemplarStorage.FLOAT32 ? npy.getFloat() : halfToFloat(npy.getShort());
                assertThat(actual).as("value %d", i).isEqualTo(expected);
            }
            assertThat(npy.remaining()).isZero();

            BufferedImage first = ImageIO.read(new ByteArrayInputStream(entries.get("0-airplane/9.png")));
            assertThat(first.getRaster().getPixels(0, 0, 2, 2, (int[]) null)).containsExactly(0, 12, 100, 255);
            BufferedImage second = ImageIO.read(new ByteArrayInputStream(entries.get("0-airplane/10.png")));
            assertThat(second.getRaster().getPixels(0, 0, 2, 2, (int[]) null)).containsExactly(0, 18, 129, 255);
        }
    }

    /** binary16 to float for the positive normal numbers this test writes. */
    private static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            return mantissa * 0x1p-24f * ((bits & 0x8000) != 0 ? -1 : 1);
        }
        return Float.intBitsToFloat(((bits & 0x8000) << 16) | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    @Test
    void missingDownloadsAreNotFoundProblems() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        HttpResponse<byte[]> notCompleted = get(experiment, 0, "checkpoint");
        assertThat(notCompleted.statusCode()).isEqualTo(404);
        assertThat(notCompleted.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(new String(notCompleted.body()))
                .contains("https://mnemos.dev/problems/not-found", "has not completed");

        HttpResponse<byte[]> unknown = get(UUID.randomUUID(), 0, "exemplars");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(new String(unknown.body())).contains("does not exist");
    }

    @Test
    void theDreamsOfADataFreePhaseAreASyntheticDownload() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        ExemplarSet.empty(2, 2, 3).write(stateDir.resolve(ExemplarSet.FILE_NAME));
        Files.writeString(stateDir.resolve("state.json"), "{\"phase\":0}");
        ExemplarKind[] kinds = {ExemplarKind.SYNTHETIC, ExemplarKind.SYNTHETIC, ExemplarKind.SYNTHETIC};
        float[] values = new float[3 * 2 * 2 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 9.5f - 20f; // some below 0: the PNG clips, values.npy keeps them
        }
        ExemplarSet dreams = new ExemplarSet(
                        new byte[values.length], new int[] {3, 3, 7}, new int[] {-1, -1, -1}, kinds, 2, 2, 3)
                .withValues(values, kinds, org.mnemos.engine.memory.ExemplarStorage.FLOAT32);
        dreams.write(stateDir.resolve(org.mnemos.engine.parts.method.dfcil.DreamingHook.GALLERY_FILE));

        downloads.storeDownloads(experiment, 0, plan(), stateDir);

        HttpResponse<byte[]> response = get(experiment, 0, "synthetic");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(d -> assertThat(d).contains(experiment + "-phase0-synthetic.zip"));
        Map<String, byte[]> entries = unzip(response.body());
        assertThat(entries)
                .containsOnlyKeys(
                        "3-cat_dog/synthetic-0.png",
                        "3-cat_dog/synthetic-1.png",
                        "7-horse/synthetic-2.png",
                        "values.npy",
                        "manifest.json");
        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertThat(manifest.get("kind").asString()).isEqualTo("synthetic");
        assertThat(manifest.get("counts").toString()).isEqualTo("{\"3\":2,\"7\":1}");
        manifest.get("images")
                .forEach(image -> assertThat(image.get("kind").asString()).isEqualTo("synthetic"));
        BufferedImage first = ImageIO.read(new ByteArrayInputStream(entries.get("3-cat_dog/synthetic-0.png")));
        assertThat(first.getRaster().getSample(0, 0, 0)).isZero(); // -20 clipped
        // the dreams are in the checkpoint too, with the rest of the state
        assertThat(unzip(get(experiment, 0, "checkpoint").body())).containsKey("dreams.bin");
    }

    @Test
    void aPhaseWithoutDreamsHasNoSyntheticDownload() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        ExemplarSet.empty(2, 2, 1).write(stateDir.resolve(ExemplarSet.FILE_NAME));
        downloads.storeDownloads(experiment, 0, plan(), stateDir);
        HttpResponse<byte[]> response = get(experiment, 0, "synthetic");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new String(response.body())).contains("only abd and deepinversion dream");
    }

    @Test
    void aMatchingETagIsNotModified() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        ExemplarSet.empty(2, 2, 1).write(stateDir.resolve(ExemplarSet.FILE_NAME));
        downloads.storeDownloads(experiment, 0, plan(), stateDir);
        String etag =
                get(experiment, 0, "exemplars").headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> again = http.send(
                HttpRequest.newBuilder(url(experiment, 0, "exemplars"))
                        .header("If-None-Match", etag)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(again.statusCode()).isEqualTo(304);
    }

    private URI url(UUID experiment, int phase, String kind) {
        return URI.create(
                "http://127.0.0.1:" + port + "/api/v1/experiments/" + experiment + "/phases/" + phase + "/" + kind);
    }

    private HttpResponse<byte[]> get(UUID experiment, int phase, String kind) throws Exception {
        return http.send(
                HttpRequest.newBuilder(url(experiment, phase, kind)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
