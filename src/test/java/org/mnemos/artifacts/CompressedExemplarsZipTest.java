package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.PhaseExemplars;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.memory.CompressedImage;
import org.mnemos.engine.memory.ExemplarCompression;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.ModelSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The exemplar download of a compressed memory: rebuilt images, their boxes and rates, and heatmaps. */
class CompressedExemplarsZipTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void compressedExemplarsComeAsTheirRebuiltImagesWithBoxRateAndHeatmap(@TempDir Path dir) throws Exception {
        int h = 6;
        int w = 4;
        byte[] originals = new byte[2 * h * w];
        for (int i = 0; i < originals.length; i++) {
            originals[i] = (byte) (i * 11);
        }
        int[][] boxes = {{1, 4, 0, 2}, {0, 0, 0, 0}};
        byte[] pixels = new byte[originals.length];
        int[] boxArray = new int[8];
        for (int i = 0; i < 2; i++) {
            CompressedImage compressed = ExemplarCompression.compress(originals, i * h * w, h, w, 1, boxes[i], 4f);
            System.arraycopy(ExemplarCompression.rebuild(compressed), 0, pixels, i * h * w, h * w);
            System.arraycopy(boxes[i], 0, boxArray, 4 * i, 4);
        }
        ExemplarSet set = new ExemplarSet(
                pixels,
                new int[] {3, 7},
                new int[] {10, 11},
                new ExemplarKind[] {ExemplarKind.COMPRESSED, ExemplarKind.COMPRESSED},
                h,
                w,
                1,
                null,
                ExemplarStorage.UINT8,
                boxArray,
                4f);
        float[] heatmap = new float[h * w];
        heatmap[5] = 1f;
        RunPlan plan = new RunPlan(
                new ExperimentSpec(
                        "t",
                        1L,
                        null,
                        DatasetSpec.named("mnist"),
                        null,
                        new ModelSpec("resnet32", null, "linear"),
                        null,
                        null,
                        null),
                List.of(3, 7),
                List.of(List.of(3, 7)),
                List.of("three", "seven"));
        Path zip = dir.resolve("exemplars.zip");
        new PhaseDownloads(null, null, JSON)
                .writeExemplarsZip(PhaseExemplars.of(set, Map.of(0, heatmap), Map.of()), 0, plan, zip, Map.of());

        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        assertThat(entries)
                .containsOnlyKeys("3-three/10.png", "3-three/10-heatmap.png", "7-seven/11.png", "manifest.json");
        BufferedImage first = ImageIO.read(new ByteArrayInputStream(entries.get("3-three/10.png")));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                assertThat(first.getRaster().getSample(x, y, 0)).isEqualTo(pixels[y * w + x] & 0xff);
            }
        }
        BufferedImage map = ImageIO.read(new ByteArrayInputStream(entries.get("3-three/10-heatmap.png")));
        assertThat(map.getWidth()).isEqualTo(w);
        assertThat(map.getRGB(1, 1) & 0xff0000).isEqualTo(0xff0000);

        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertThat(manifest.get("compressionRatio").asDouble()).isEqualTo(4.0);
        assertThat(manifest.get("storedBytes").asLong()).isEqualTo(set.storedBytes());
        JsonNode image = manifest.get("images").get(0);
        assertThat(image.get("kind").asString()).isEqualTo("compressed");
        assertThat(image.get("box").toString()).isEqualTo("{\"top\":1,\"bottom\":4,\"left\":0,\"right\":2}");
        assertThat(image.get("compressionRate").asDouble()).isEqualTo(0.25 + 0.75 / 4);
        assertThat(image.get("heatmap").asString()).isEqualTo("3-three/10-heatmap.png");
        assertThat(manifest.get("images").get(1).get("box").toString())
                .isEqualTo("{\"top\":0,\"bottom\":0,\"left\":0,\"right\":0}");
        assertThat(manifest.get("images").get(1).get("compressionRate").asDouble())
                .isEqualTo(0.25);
    }
}
