package org.mnemos.artifacts;

import ai.djl.engine.Engine;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.mnemos.engine.PartCatalog;
import org.mnemos.engine.PhaseExemplars;
import org.mnemos.engine.PyTorchCheckpoint;
import org.mnemos.engine.RunPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * The two downloads of a phase. {@code exemplars}: the exemplar memory as one PNG per image in a
 * folder per class, with a manifest; optimised exemplars held as floats also come as their exact
 * values in {@code values.npy} ({@code (N, H, W, C)} pixel intensities, row {@code index} of the
 * manifest's image), the PNGs being their rounded and clipped view; an optimised exemplar also comes
 * with the training image it was made from ({@code -original.png}), a compressed one with its box
 * and, for a few per class, the CAM heatmap its box came from ({@code -heatmap.png}). {@code checkpoint}: every file of the engine's state
 * directory plus a manifest with what is needed to load it back (backbone, classes in head order,
 * versions, per-file sha256). {@code pytorch}: the same network for PyTorch ({@link PyTorchCheckpoint}).
 */
@Component
public class PhaseDownloads implements PhaseArtifacts {

    private static final Logger log = LoggerFactory.getLogger(PhaseDownloads.class);

    public static final String EXEMPLARS = "exemplars";
    public static final String CHECKPOINT = "checkpoint";
    /** The checkpoint as PyCIL's state_dict in safetensors, with config.json and load.py ({@code ?format=pytorch}). */
    public static final String PYTORCH = "pytorch";
    /** The dreams of a data-free method's generator after the phase (ABD, DeepInversion). */
    public static final String SYNTHETIC = "synthetic";

    static final String MANIFEST = "manifest.json";
    static final String VALUES = "values.npy";

    private final ArtifactStore store;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public PhaseDownloads(ArtifactStore store, JdbcTemplate jdbc, ObjectMapper json) {
        this.store = store;
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    public void storeDownloads(UUID experimentId, int phase, RunPlan plan, Path stateDir) throws IOException {
        Path work = Files.createTempDirectory("mnemos-downloads-");
        try {
            Path exemplars = work.resolve(EXEMPLARS + ".zip");
            writeExemplarsZip(PhaseExemplars.readMemory(stateDir), phase, plan, exemplars, Map.of());
            store.store(experimentId, phase, EXEMPLARS, exemplars);
            Path checkpoint = work.resolve(CHECKPOINT + ".zip");
            writeCheckpointZip(stateDir, checkpointManifest(experimentId, phase, plan), checkpoint);
            store.store(experimentId, phase, CHECKPOINT, checkpoint);
            storePyTorchCheckpoint(experimentId, phase, plan, stateDir, work.resolve(PYTORCH + ".zip"));
            Path dreams = stateDir.resolve(PartCatalog.DREAM_GALLERY_FILE);
            if (Files.exists(dreams)) {
                Path synthetic = work.resolve(SYNTHETIC + ".zip");
                writeExemplarsZip(PhaseExemplars.readFile(dreams), phase, plan, synthetic, Map.of("kind", SYNTHETIC));
                store.store(experimentId, phase, SYNTHETIC, synthetic);
            }
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * The PyTorch form of the checkpoint, where the network has one. It is a second view of the
     * state the phase already stored, so a state it cannot read (logged) leaves the phase complete
     * without it; the download then answers 404.
     */
    private void storePyTorchCheckpoint(UUID experimentId, int phase, RunPlan plan, Path stateDir, Path target)
            throws IOException {
        try {
            Optional<String> unsupported = PyTorchCheckpoint.writeIfSupported(stateDir, plan, phase, json, target);
            if (unsupported.isPresent()) {
                log.info("Phase {} of {} has no PyTorch checkpoint: {}", phase, experimentId, unsupported.get());
                return;
            }
        } catch (RuntimeException | IOException e) {
            log.warn(
                    "Phase {} of {}: the PyTorch checkpoint could not be written: {}",
                    phase,
                    experimentId,
                    e.toString());
            return;
        }
        store.store(experimentId, phase, PYTORCH, target);
    }

    void writeExemplarsZip(PhaseExemplars set, int phase, RunPlan plan, Path target) throws IOException {
        writeExemplarsZip(set, phase, plan, target, Map.of());
    }

    /**
     * PNGs per class folder and a manifest. An image's CAM heatmap and the training image an
     * optimised exemplar was made from are written as PNGs next to it ({@code heatmap},
     * {@code original} in its manifest entry).
     *
     * @param extra entries at the top of the manifest
     */
    void writeExemplarsZip(PhaseExemplars set, int phase, RunPlan plan, Path target, Map<String, Object> extra)
            throws IOException {
        List<Map<String, Object>> images = new ArrayList<>();
        Map<Integer, Integer> counts = new TreeMap<>();
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(target)))) {
            for (int i = 0; i < set.size(); i++) {
                int label = set.label(i);
                String className = className(plan, label);
                int source = set.sourceIndex(i);
                String file =
                        label + "-" + sanitise(className) + "/" + (source >= 0 ? source : "synthetic-" + i) + ".png";
                Zips.addEntry(
                        zip, file, png(set.pixels(), i * set.imageBytes(), set.height(), set.width(), set.channels()));
                counts.merge(label, 1, Integer::sum);
                Map<String, Object> image = new LinkedHashMap<>();
                image.put("file", file);
                image.put("index", i);
                image.put("label", label);
                image.put("className", className);
                image.put("sourceIndex", source);
                image.put("kind", set.kind(i));
                if (set.isCompressed(i)) {
                    // what the memory stores: this box at full resolution, the rest downsampled by √r per side
                    int[] box = set.box(i);
                    Map<String, Integer> boxEntry = new LinkedHashMap<>();
                    boxEntry.put("top", box[0]);
                    boxEntry.put("bottom", box[1]);
                    boxEntry.put("left", box[2]);
                    boxEntry.put("right", box[3]);
                    image.put("box", boxEntry);
                    image.put("compressionRate", set.compressionRate(i));
                    image.put("storedBytes", set.storedBytes(i));
                }
                String stem = file.substring(0, file.length() - ".png".length());
                float[] heatmap = set.heatmap(i);
                if (heatmap != null) {
                    String heatmapFile = stem + "-heatmap.png";
                    Zips.addEntry(zip, heatmapFile, heatmapPng(heatmap, set.height(), set.width()));
                    image.put("heatmap", heatmapFile);
                }
                byte[] original = set.original(i);
                if (original != null) {
                    String originalFile = stem + "-original.png";
                    Zips.addEntry(zip, originalFile, png(original, 0, set.height(), set.width(), set.channels()));
                    image.put("original", originalFile);
                }
                images.add(image);
            }
            Map<String, Object> manifest = new LinkedHashMap<>(extra);
            manifest.put("phase", phase);
            manifest.put("classes", classesSeen(plan, phase));
            manifest.put(
                    "classNames",
                    classesSeen(plan, phase).stream()
                            .map(l -> className(plan, l))
                            .toList());
            manifest.put("counts", counts);
            manifest.put("exemplarCount", set.size());
            manifest.put("memoryBytes", set.memoryBytes());
            manifest.put("storage", set.storage());
            manifest.put("storedBytes", set.storedBytes());
            if (set.hasCompression()) {
                manifest.put("compressionRatio", set.compressionRatio());
            }
            if (set.values() != null) {
                Zips.addEntry(
                        zip,
                        VALUES,
                        Npy.floats(
                                set.values(),
                                set.storage().equals("float16"),
                                set.size(),
                                set.height(),
                                set.width(),
                                set.channels()));
                manifest.put("values", VALUES);
            }
            manifest.put("height", set.height());
            manifest.put("width", set.width());
            manifest.put("channels", set.channels());
            manifest.put("images", images);
            Zips.addEntry(zip, MANIFEST, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        }
    }

    void writeCheckpointZip(Path stateDir, Map<String, Object> manifest, Path target) throws IOException {
        Map<String, String> sha256 = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(stateDir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String name = stateDir.relativize(file)
                        .toString()
                        .replace(file.getFileSystem().getSeparator(), "/");
                if (name.equals(MANIFEST)) {
                    throw new IOException("The state directory already holds a " + MANIFEST);
                }
                sha256.put(name, sha256(file));
            }
        }
        Map<String, Object> complete = new LinkedHashMap<>(manifest);
        complete.put("files", sha256);
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(target)))) {
            Zips.addDirectory(zip, stateDir);
            Zips.addEntry(zip, MANIFEST, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(complete));
        }
    }

    Map<String, Object> checkpointManifest(UUID experimentId, int phase, RunPlan plan) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("experimentId", experimentId.toString());
        manifest.put("phase", phase);
        manifest.put("model", plan.spec().model());
        manifest.put("classes", classesSeen(plan, phase));
        manifest.put(
                "classNames",
                classesSeen(plan, phase).stream().map(l -> className(plan, l)).toList());
        manifest.put("classOrder", plan.classOrder());
        List<String> hash =
                jdbc.queryForList("select spec_hash from experiments where id = ?", String.class, experimentId);
        manifest.put("specHash", hash.isEmpty() ? null : hash.get(0));
        manifest.put("djlVersion", Engine.getDjlVersion());
        manifest.put("engine", "PyTorch");
        manifest.put("pytorchVersion", Engine.getEngine("PyTorch").getVersion());
        return manifest;
    }

    /** Original labels of phases 0..phase, in the order the head's outputs were added. */
    static List<Integer> classesSeen(RunPlan plan, int phase) {
        return plan.phases().subList(0, phase + 1).stream()
                .flatMap(List::stream)
                .toList();
    }

    private static String className(RunPlan plan, int label) {
        return plan.className(label);
    }

    static String sanitise(String name) {
        String clean =
                name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "_").replaceAll("^[._]+", "");
        return clean.isEmpty() ? "class" : clean.substring(0, Math.min(clean.length(), 64));
    }

    /** PNG of the HWC image at {@code offset}: 8-bit grayscale for one channel, RGB for three. */
    static byte[] png(byte[] pixels, int offset, int h, int w, int c) throws IOException {
        BufferedImage image;
        if (c == 1) {
            image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, w, h, java.util.Arrays.copyOfRange(pixels, offset, offset + h * w));
        } else if (c == 3) {
            image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = offset + (y * w + x) * 3;
                    int rgb = (pixels[p] & 0xff) << 16 | (pixels[p + 1] & 0xff) << 8 | (pixels[p + 2] & 0xff);
                    image.setRGB(x, y, rgb);
                }
            }
        } else {
            throw new IOException("Cannot write a PNG with " + c + " channels");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A CAM heatmap in [0, 1] as an RGB PNG on a blue (0) to red (1) colour ramp. */
    static byte[] heatmapPng(float[] heatmap, int h, int w) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = Math.max(0f, Math.min(1f, heatmap[y * w + x]));
                int red = Math.round(255 * v);
                int green = Math.round(255 * (1 - Math.abs(2 * v - 1)));
                int blue = Math.round(255 * (1 - v));
                image.setRGB(x, y, red << 16 | green << 8 | blue);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = ArtifactBytes.sha256();
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
