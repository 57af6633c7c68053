package org.mnemos.artifacts;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.mnemos.web.Problems;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The exemplar memory of a completed phase as a JSON listing and one PNG per image, read from the
 * phase's exemplar zip, so a browser can show a gallery without unpacking the archive; where the
 * zip holds them, also each image's views: the CAM heatmap a compressed exemplar's box came from
 * and the training image an optimised exemplar was made from. All carry the zip's sha256 in their
 * ETag: a phase's exemplars never change once stored.
 */
@RestController
@Tag(name = "downloads")
public class ExemplarGalleryController {

    /** Zips up to this size are kept decoded in memory; larger ones are scanned per request. */
    private static final long CACHEABLE_ZIP_BYTES = 16L << 20;

    private static final int CACHED_ZIPS = 4;
    /** An image's views: each is the manifest field naming its PNG in the zip, and its URL name. */
    private static final List<String> VIEWS = List.of("heatmap", "original");

    private final ArtifactStore store;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Map<String, Map<String, byte[]>> decoded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, byte[]>> eldest) {
            return size() > CACHED_ZIPS;
        }
    };

    public ExemplarGalleryController(ArtifactStore store, JdbcTemplate jdbc, ObjectMapper json) {
        this.store = store;
        this.jdbc = jdbc;
        this.json = json;
    }

    @GetMapping(
            path = "/api/v1/experiments/{id}/phases/{index}/exemplars/images",
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "The exemplars of a completed phase as JSON, each with the URL of its PNG",
            description = "The exemplar zip's manifest (classes, counts, storage, image size, and per image its label, "
                    + "class name, source index and kind: real, optimized, compressed or synthetic; a compressed image's box "
                    + "(top, bottom, left, right; bottom and right exclusive) and compression rate) with a url per image, "
                    + "and heatmapUrl (the CAM heatmap its box came from, kept for a few compressed exemplars per class) and "
                    + "originalUrl (the training image an optimized exemplar was made from) where the zip holds them.")
    @ApiResponse(
            responseCode = "200",
            description = "The listing",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(type = "object")))
    @ApiResponse(responseCode = "304", description = "Not modified (If-None-Match)", content = @Content)
    public ResponseEntity<JsonNode> exemplarListing(
            @PathVariable UUID id,
            @PathVariable int index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch)
            throws IOException {
        ArtifactStore.ArtifactRecord zip = exemplarZip(id, index);
        String etag = "\"" + zip.sha256() + "-listing\"";
        if (etag.equals(ifNoneMatch)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        ObjectNode manifest = (ObjectNode) json.readTree(entry(zip, PhaseDownloads.MANIFEST));
        String base = "/api/v1/experiments/" + id + "/phases/" + index + "/exemplars/images/";
        for (JsonNode image : (ArrayNode) manifest.get("images")) {
            int n = image.get("index").asInt();
            ((ObjectNode) image).put("url", base + n + ".png");
            for (String view : VIEWS) {
                if (image.hasNonNull(view)) {
                    ((ObjectNode) image).put(view + "Url", base + n + "/" + view + ".png");
                }
            }
        }
        return ResponseEntity.ok()
                .eTag(etag)
                .cacheControl(CacheControl.noCache())
                .body(manifest);
    }

    @GetMapping(
            path = "/api/v1/experiments/{id}/phases/{index}/exemplars/images/{image}.png",
            produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(summary = "One exemplar of a completed phase as PNG (the index of the listing)")
    @ApiResponse(
            responseCode = "200",
            description = "The image",
            content =
                    @Content(
                            mediaType = MediaType.IMAGE_PNG_VALUE,
                            schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "304", description = "Not modified (If-None-Match)", content = @Content)
    public ResponseEntity<byte[]> exemplarImage(
            @PathVariable UUID id,
            @PathVariable int index,
            @PathVariable int image,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch)
            throws IOException {
        ArtifactStore.ArtifactRecord zip = exemplarZip(id, index);
        String etag = "\"" + zip.sha256() + "-" + image + "\"";
        if (etag.equals(ifNoneMatch)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        byte[] png = entry(zip, listed(zip, id, index, image).get("file").asString());
        return ResponseEntity.ok()
                .contentType(MediaType.IMAGE_PNG)
                .eTag(etag)
                .cacheControl(CacheControl.noCache())
                .body(png);
    }

    @GetMapping(
            path = "/api/v1/experiments/{id}/phases/{index}/exemplars/images/{image}/{view}.png",
            produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(
            summary = "A view of one exemplar as PNG: heatmap (compressed exemplars) or original (optimized exemplars)",
            description =
                    "heatmap: the CAM heatmap (blue 0 to red 1) the exemplar's compression box was cut from; original: "
                            + "the training image the optimized exemplar was made from. The listing's heatmapUrl and originalUrl "
                            + "name the views an image has; any other is a 404 problem.")
    @ApiResponse(
            responseCode = "200",
            description = "The view",
            content =
                    @Content(
                            mediaType = MediaType.IMAGE_PNG_VALUE,
                            schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "304", description = "Not modified (If-None-Match)", content = @Content)
    public ResponseEntity<byte[]> exemplarView(
            @PathVariable UUID id,
            @PathVariable int index,
            @PathVariable int image,
            @PathVariable @Parameter(schema = @Schema(allowableValues = {"heatmap", "original"})) String view,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch)
            throws IOException {
        if (!VIEWS.contains(view)) {
            throw Problems.notFound(
                    "An exemplar has no view '" + view + "'; the views are " + String.join(", ", VIEWS));
        }
        ArtifactStore.ArtifactRecord zip = exemplarZip(id, index);
        String etag = "\"" + zip.sha256() + "-" + image + "-" + view + "\"";
        if (etag.equals(ifNoneMatch)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        JsonNode entry = listed(zip, id, index, image);
        if (!entry.hasNonNull(view)) {
            throw Problems.notFound(
                    "Exemplar " + image + " of phase " + index + " of experiment " + id + " has no " + view + " view");
        }
        byte[] png = entry(zip, entry.get(view).asString());
        return ResponseEntity.ok()
                .contentType(MediaType.IMAGE_PNG)
                .eTag(etag)
                .cacheControl(CacheControl.noCache())
                .body(png);
    }

    /** Image {@code image}'s manifest entry, or a 404 problem. */
    private JsonNode listed(ArtifactStore.ArtifactRecord zip, UUID id, int index, int image) throws IOException {
        JsonNode images = json.readTree(entry(zip, PhaseDownloads.MANIFEST)).get("images");
        if (image < 0 || image >= images.size()) {
            throw Problems.notFound("Phase " + index + " of experiment " + id + " has " + images.size()
                    + " exemplar images; there is no image " + image);
        }
        return images.get(image);
    }

    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ProblemDetail> problem(ErrorResponseException exception) {
        return Problems.render(exception);
    }

    private ArtifactStore.ArtifactRecord exemplarZip(UUID id, int index) {
        return store.find(id, index, PhaseDownloads.EXEMPLARS).orElseThrow(() -> {
            Boolean exists =
                    jdbc.queryForObject("select exists(select 1 from experiments where id = ?)", Boolean.class, id);
            if (!Boolean.TRUE.equals(exists)) {
                return Problems.notFound("Experiment " + id + " does not exist");
            }
            return Problems.notFound("Phase " + index + " of experiment " + id
                    + " has no exemplars (the phase has not completed, or does not exist)");
        });
    }

    private byte[] entry(ArtifactStore.ArtifactRecord zip, String name) throws IOException {
        if (zip.sizeBytes() <= CACHEABLE_ZIP_BYTES) {
            Map<String, byte[]> entries;
            synchronized (decoded) {
                entries = decoded.get(zip.sha256());
            }
            if (entries == null) {
                entries = readAll(zip);
                synchronized (decoded) {
                    decoded.put(zip.sha256(), entries);
                }
            }
            byte[] bytes = entries.get(name);
            if (bytes == null) {
                throw new IOException("The exemplar zip " + zip.path() + " has no entry " + name);
            }
            return bytes;
        }
        try (ZipInputStream in = new ZipInputStream(store.open(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals(name)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new IOException("The exemplar zip " + zip.path() + " has no entry " + name);
    }

    private Map<String, byte[]> readAll(ArtifactStore.ArtifactRecord zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream raw = store.open(zip);
                ZipInputStream in = new ZipInputStream(raw)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                // values.npy is for numpy users; the gallery needs the manifest and the PNGs only
                if (!entry.isDirectory() && !entry.getName().equals(PhaseDownloads.VALUES)) {
                    entries.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }
}
