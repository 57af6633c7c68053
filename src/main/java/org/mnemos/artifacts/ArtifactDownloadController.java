package org.mnemos.artifacts;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import java.io.IOException;
import java.util.UUID;
import org.mnemos.web.ProblemType;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Phase downloads, streamed from the artifact store; the ETag is the artifact's sha256. */
@RestController
public class ArtifactDownloadController {

    private static final MediaType ZIP = MediaType.parseMediaType("application/zip");
    static final String DJL_FORMAT = "djl";
    static final String PYTORCH_FORMAT = "pytorch";

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

    /**
     * {@code format=djl} (default): the engine's state directory; {@code format=pytorch}: the network
     * as PyCIL's state_dict in safetensors, with config.json and load.py.
     */
    @GetMapping(path = "/api/v1/experiments/{id}/phases/{index}/checkpoint", produces = "application/zip")
    public ResponseEntity<Resource> checkpoint(
            @PathVariable UUID id,
            @PathVariable int index,
            @RequestParam(name = "format", required = false, defaultValue = DJL_FORMAT)
                    @Parameter(
                            description =
                                    "djl: the engine's state directory (model.params, state.json, ...); pytorch: model.safetensors"
                                            + " named as PyCIL's state_dict, config.json (architecture, class order, label map, normalisation,"
                                            + " reported classifier, NME class means) and load.py",
                            schema =
                                    @Schema(
                                            allowableValues = {DJL_FORMAT, PYTORCH_FORMAT},
                                            defaultValue = DJL_FORMAT))
                    String format,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch)
            throws IOException {
        return switch (format) {
            case DJL_FORMAT -> download(id, index, PhaseDownloads.CHECKPOINT, ifNoneMatch);
            case PYTORCH_FORMAT -> download(id, index, PhaseDownloads.PYTORCH, ifNoneMatch);
            default ->
                throw new ErrorResponseException(
                        ProblemType.INVALID_PARAMETER.status(),
                        Problems.of(
                                ProblemType.INVALID_PARAMETER,
                                "format must be " + DJL_FORMAT + " or " + PYTORCH_FORMAT),
                        null);
        };
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
        String filename = id + "-phase" + index + "-"
                + (kind.equals(PhaseDownloads.PYTORCH) ? "checkpoint-pytorch" : kind) + ".zip";
        return ResponseEntity.ok()
                .contentType(ZIP)
                .contentLength(artifact.sizeBytes())
                .eTag(etag)
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment()
                                .filename(filename)
                                .build()
                                .toString())
                .body(new InputStreamResource(store.open(artifact)));
    }

    private ErrorResponseException missing(UUID id, int index, String kind) {
        Boolean exists =
                jdbc.queryForObject("select exists(select 1 from experiments where id = ?)", Boolean.class, id);
        if (!Boolean.TRUE.equals(exists)) {
            return Problems.notFound("Experiment " + id + " does not exist");
        }
        return Problems.notFound("Phase " + index + " of experiment " + id + " has no " + kind
                + " download (the phase has not completed, or does not exist"
                + switch (kind) {
                    case PhaseDownloads.SYNTHETIC ->
                        "; only abd and deepinversion dream, after every phase but the last)";
                    case PhaseDownloads.PYTORCH ->
                        "; AANets' aggregated backbone after phase 0 and FOSTER's two-extractor"
                                + " network have no PyTorch layout)";
                    default -> ")";
                });
    }
}
