package org.mnemos.artifacts;

import java.io.IOException;
import java.util.UUID;
import org.mnemos.web.Problems;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
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

/** Phase downloads, streamed from the artifact store; the ETag is the artifact's sha256. */
@RestController
public class ArtifactDownloadController {

    private static final MediaType ZIP = MediaType.parseMediaType("application/zip");

    private final ArtifactStore store;
    private final JdbcTemplate jdbc;

    public ArtifactDownloadController(ArtifactStore store, JdbcTemplate jdbc) {
        this.store = store;
        this.jdbc = jdbc;
    }

    @GetMapping(path = "/api/v1/experiments/{id}/phases/{index}/exemplars", produces = "application/zip")
    public ResponseEntity<Resource> exemplars(
            @PathVariable UUID id,
            @PathVariable int index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch)
            throws IOException {
        return download(id, index, PhaseDownloads.EXEMPLARS, ifNoneMatch);
    }

    @GetMapping(path = "/api/v1/experiments/{id}/phases/{index}/checkpoint", produces = "application/zip")
    public ResponseEntity<Resource> checkpoint(
            @PathVariable UUID id,
            @PathVariable int index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch)
            throws IOException {
        return download(id, index, PhaseDownloads.CHECKPOINT, ifNoneMatch);
    }

    /** A sample of the dreams of a data-free method's generator after the phase, per predicted class. */
    @GetMapping(path = "/api/v1/experiments/{id}/phases/{index}/synthetic", produces = "application/zip")
    public ResponseEntity<Resource> synthetic(
            @PathVariable UUID id,
            @PathVariable int index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch)
            throws IOException {
        return download(id, index, PhaseDownloads.SYNTHETIC, ifNoneMatch);
    }

    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ProblemDetail> problem(ErrorResponseException exception) {
        return Problems.render(exception);
    }

    private ResponseEntity<Resource> download(UUID id, int index, String kind, String ifNoneMatch) throws IOException {
        ArtifactStore.ArtifactRecord artifact = store.find(id, index, kind).orElseThrow(() -> missing(id, index, kind));
        String etag = "\"" + artifact.sha256() + "\"";
        if (etag.equals(ifNoneMatch)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        String filename = id + "-phase" + index + "-" + kind + ".zip";
        return ResponseEntity.ok()
                .contentType(ZIP)
                .contentLength(artifact.sizeBytes())
                .eTag(etag)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(filename).build().toString())
                .body(new InputStreamResource(store.open(artifact)));
    }

    private ErrorResponseException missing(UUID id, int index, String kind) {
        Boolean exists = jdbc.queryForObject("select exists(select 1 from experiments where id = ?)", Boolean.class, id);
        if (!Boolean.TRUE.equals(exists)) {
            return Problems.notFound("Experiment " + id + " does not exist");
        }
        return Problems.notFound("Phase " + index + " of experiment " + id + " has no " + kind
                + " download (the phase has not completed, or does not exist"
                + (kind.equals(PhaseDownloads.SYNTHETIC)
                        ? "; only abd and deepinversion dream, after every phase but the last)" : ")"));
    }
}
