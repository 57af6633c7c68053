package org.mnemos.artifacts;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.UUID;
import org.mnemos.security.Caller;
import org.mnemos.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Uploads of checkpoints a spec's {@code model.init} can name. */
@RestController
@RequestMapping(path = "/api/v1/checkpoints", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(
        name = "checkpoints",
        description = "Upload PyTorch-layout checkpoints a run's phase 0 can start from (model.init)")
public class CheckpointUploadController {

    private final CheckpointUploads uploads;

    public CheckpointUploadController(CheckpointUploads uploads) {
        this.uploads = uploads;
    }

    @PostMapping(consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(
            summary = "Upload a checkpoint for model.init",
            description =
                    "The body is a safetensors file with the tensor names of PyCIL's state_dict (as ?format=pytorch"
                            + " writes them) and __metadata__.classes, the data-set labels of the head's rows as a JSON list. The"
                            + " header is checked now (length, JSON, dtypes, shapes against offsets, offsets tiling the file); the"
                            + " tensors are checked against the network when a spec names the checkpoint. At most"
                            + " mnemos.limits.max-upload-bytes (256 MiB by default).",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                                            schema = @Schema(type = "string", format = "binary"))))
    @ApiResponse(responseCode = "201", description = "Kept; name its id in model.init.checkpoint")
    public ResponseEntity<CheckpointUploads.Upload> upload(HttpServletRequest request) throws IOException {
        try (InputStream body = request.getInputStream()) {
            CheckpointUploads.Upload upload =
                    uploads.store(body, Caller.of(request).keyId());
            return ResponseEntity.status(HttpStatus.CREATED)
                    .location(URI.create("/api/v1/checkpoints/" + upload.id()))
                    .body(upload);
        }
    }

    @GetMapping("/{id}")
    @Operation(summary = "An uploaded checkpoint: its size, sha256, tensors and metadata")
    public CheckpointUploads.Upload checkpoint(@PathVariable UUID id, HttpServletRequest request) {
        return uploads.find(id, Caller.of(request).keyId())
                .orElseThrow(() -> ApiException.notFound("Checkpoint " + id));
    }
}
