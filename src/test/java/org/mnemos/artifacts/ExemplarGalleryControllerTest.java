package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.SpecReader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The exemplar listing and images read out of a phase's exemplar zip; missing ones are 404 problems. */
class ExemplarGalleryControllerTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final UUID ID = UUID.randomUUID();
    private static final byte[] PNG_0 = {(byte) 0x89, 'P', 'N', 'G', 0};
    private static final byte[] PNG_1 = {(byte) 0x89, 'P', 'N', 'G', 1};
    private static final byte[] HEATMAP_0 = {(byte) 0x89, 'P', 'N', 'G', 'h'};
    private static final byte[] ORIGINAL_2 = {(byte) 0x89, 'P', 'N', 'G', 'o'};
    private static final byte[] PNG_2 = {(byte) 0x89, 'P', 'N', 'G', 2};

    private final ArtifactStore store = mock(ArtifactStore.class);
    private final JdbcTemplate jdbc = mock(JdbcTemplate.class);
    private MockMvc mvc;

    @BeforeEach
    void setUp() throws Exception {
        byte[] zip = zip();
        ArtifactStore.ArtifactRecord record =
                new ArtifactStore.ArtifactRecord(ID, 1, PhaseDownloads.EXEMPLARS, "x", zip.length, "abc123");
        when(store.find(ID, 1, PhaseDownloads.EXEMPLARS)).thenReturn(Optional.of(record));
        when(store.find(ID, 2, PhaseDownloads.EXEMPLARS)).thenReturn(Optional.empty());
        when(store.open(record)).thenAnswer(invocation -> new ByteArrayInputStream(zip));
        when(jdbc.queryForObject("select exists(select 1 from experiments where id = ?)", Boolean.class, ID))
                .thenReturn(true);
        mvc = MockMvcBuilders.standaloneSetup(new ExemplarGalleryController(store, jdbc, JSON))
                .build();
    }

    private static byte[] zip() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            add(zip, "3-three/17.png", PNG_0);
            add(zip, "3-three/17-heatmap.png", HEATMAP_0);
            add(zip, "5-five/synthetic-1.png", PNG_1);
            add(zip, "5-five/4.png", PNG_2);
            add(zip, "5-five/4-original.png", ORIGINAL_2);
            add(zip, "manifest.json", """
                    {"phase": 1, "classes": [3, 5], "exemplarCount": 3, "images": [
                      {"file": "3-three/17.png", "index": 0, "label": 3, "className": "three", "sourceIndex": 17, "kind": "compressed",
                       "box": {"top": 1, "bottom": 5, "left": 2, "right": 6}, "compressionRate": 0.4, "heatmap": "3-three/17-heatmap.png"},
                      {"file": "5-five/synthetic-1.png", "index": 1, "label": 5, "className": "five", "sourceIndex": -1, "kind": "synthetic"},
                      {"file": "5-five/4.png", "index": 2, "label": 5, "className": "five", "sourceIndex": 4, "kind": "optimized",
                       "original": "5-five/4-original.png"}]}""".getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void add(ZipOutputStream zip, String name, byte[] content) throws Exception {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    private MockHttpServletResponse get(String path, String ifNoneMatch) throws Exception {
        var request = org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get(path);
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return mvc.perform(request).andReturn().getResponse();
    }

    @Test
    void theListingIsTheManifestWithAUrlPerImage() throws Exception {
        String base = "/api/v1/experiments/" + ID + "/phases/1/exemplars/images";
        MockHttpServletResponse response = get(base, null);
        assertThat(response.getStatus()).isEqualTo(200);
        JsonNode listing = JSON.readTree(response.getContentAsString());
        assertThat(listing.get("exemplarCount").asInt()).isEqualTo(3);
        JsonNode images = listing.get("images");
        assertThat(images.get(1).get("kind").asString()).isEqualTo("synthetic");
        assertThat(images.get(1).get("url").asString()).isEqualTo(base + "/1.png");
        assertThat(get(base, response.getHeader("ETag")).getStatus()).isEqualTo(304);
        // views only where the zip holds them
        assertThat(images.get(0).get("box").get("bottom").asInt()).isEqualTo(5);
        assertThat(images.get(0).get("heatmapUrl").asString()).isEqualTo(base + "/0/heatmap.png");
        assertThat(images.get(0).has("originalUrl")).isFalse();
        assertThat(images.get(1).has("heatmapUrl")).isFalse();
        assertThat(images.get(1).has("originalUrl")).isFalse();
        assertThat(images.get(2).get("originalUrl").asString()).isEqualTo(base + "/2/original.png");
        assertThat(images.get(2).has("heatmapUrl")).isFalse();
    }

    @Test
    void theHeatmapAndOriginalViewsAreTheirPngsFromTheZip() throws Exception {
        String base = "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/";
        MockHttpServletResponse heatmap = get(base + "0/heatmap.png", null);
        assertThat(heatmap.getStatus()).isEqualTo(200);
        assertThat(heatmap.getContentType()).isEqualTo("image/png");
        assertThat(heatmap.getContentAsByteArray()).isEqualTo(HEATMAP_0);
        MockHttpServletResponse original = get(base + "2/original.png", null);
        assertThat(original.getContentAsByteArray()).isEqualTo(ORIGINAL_2);
        assertThat(get(base + "2.png", null).getContentAsByteArray()).isEqualTo(PNG_2);
        assertThat(get(base + "2/original.png", original.getHeader("ETag")).getStatus())
                .isEqualTo(304);
        assertThat(original.getHeader("ETag"))
                .isNotEqualTo(get(base + "2.png", null).getHeader("ETag"))
                .isNotEqualTo(heatmap.getHeader("ETag"));
    }

    @Test
    void eachImageIsItsPngFromTheZip() throws Exception {
        String base = "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/";
        MockHttpServletResponse second = get(base + "1.png", null);
        assertThat(second.getStatus()).isEqualTo(200);
        assertThat(second.getContentType()).isEqualTo("image/png");
        assertThat(second.getContentAsByteArray()).isEqualTo(PNG_1);
        assertThat(get(base + "0.png", null).getContentAsByteArray()).isEqualTo(PNG_0);
        assertThat(get(base + "1.png", second.getHeader("ETag")).getStatus()).isEqualTo(304);
        assertThat(second.getHeader("ETag"))
                .isNotEqualTo(get(base + "0.png", null).getHeader("ETag"));
    }

    @Test
    void imagesOutsideTheListingAndPhasesWithoutExemplarsAre404Problems() throws Exception {
        for (String path : new String[] {
            "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/3.png",
            "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/-1.png",
            // views an image does not have, views that do not exist, images that do not exist
            "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/1/heatmap.png",
            "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/0/original.png",
            "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/0/file.png",
            "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/0/manifest.png",
            "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/3/heatmap.png",
            "/api/v1/experiments/" + ID + "/phases/1/exemplars/images/-1/original.png",
            "/api/v1/experiments/" + ID + "/phases/2/exemplars/images/0/heatmap.png",
            "/api/v1/experiments/" + ID + "/phases/2/exemplars/images",
            "/api/v1/experiments/" + ID + "/phases/2/exemplars/images/0.png"
        }) {
            MockHttpServletResponse response = get(path, null);
            assertThat(response.getStatus()).as(path).isEqualTo(404);
            assertThat(response.getContentType()).as(path).startsWith("application/problem+json");
        }
        assertThat(get("/api/v1/experiments/" + ID + "/phases/2/exemplars/images", null)
                        .getContentAsString())
                .contains("has not completed");
    }
}
