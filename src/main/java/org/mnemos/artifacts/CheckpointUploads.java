package org.mnemos.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.mnemos.engine.CheckpointFiles;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.experiment.LimitsProperties;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import org.mnemos.web.ProblemType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Checkpoints uploaded for {@code model.init}: safetensors files kept in the artifact store under
 * {@code uploads/<id>.safetensors}, recorded in {@code checkpoints}. An upload is streamed into the
 * store up to {@code mnemos.limits.max-upload-bytes} and its header checked ({@link CheckpointFiles})
 * before it is kept; a refused upload leaves nothing behind. Whether its tensors fit a run's network
 * is checked when a spec names it. With {@code mnemos.artifacts.store: s3} the bucket holds the upload
 * and {@code mnemos.artifacts.dir} this process's copy, fetched (and its sha256 checked) on first use.
 */
@Component
public class CheckpointUploads {

    public static final String DIRECTORY = "uploads";
    private static final String EXTENSION = ".safetensors";

    private final Path root;
    private final S3Objects bucket;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final long maxBytes;

    CheckpointUploads(
            ArtifactsProperties artifacts,
            ObjectProvider<S3Objects> bucket,
            LimitsProperties limits,
            JdbcTemplate jdbc,
            ObjectMapper json) {
        this.root = artifacts.dir().toAbsolutePath().normalize();
        this.bucket = bucket.getIfAvailable();
        this.jdbc = jdbc;
        this.json = json;
        this.maxBytes = limits.maxUploadBytes();
    }

    /** What the API says about an upload. */
    public record Upload(
            UUID id, long sizeBytes, String sha256, List<TensorView> tensors, Map<String, String> metadata) {}

    public record TensorView(String name, String dtype, List<Long> shape) {}

    /**
     * Keeps the body as a new checkpoint of {@code owner}.
     *
     * @throws ApiException 413 past the size limit, 400 naming the problem (and the tensor) for a file
     *     that is not well-formed safetensors
     */
    public Upload store(InputStream body, String owner) throws IOException {
        Path directory = Files.createDirectories(root.resolve(DIRECTORY));
        Path partial = Files.createTempFile(directory, ".upload", ".partial");
        try {
            MessageDigest digest = ArtifactBytes.sha256();
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), digest)) {
                size = copyAtMost(body, out, maxBytes);
            }
            if (size > maxBytes) {
                throw new ApiException(
                        ProblemType.PAYLOAD_TOO_LARGE,
                        "The checkpoint has more than " + maxBytes + " bytes; at most " + maxBytes + " are accepted.");
            }
            CheckpointFiles.Header header;
            try {
                header = CheckpointFiles.readHeader(partial);
            } catch (CheckpointFiles.MalformedException e) {
                String field = e.tensor() == null ? "body" : e.tensor();
                throw new ApiException(
                        ProblemType.MALFORMED_REQUEST,
                        "Not a usable safetensors file: " + e.getMessage(),
                        List.of(new FieldProblem(field, e.getMessage())));
            }
            UUID id = UUID.randomUUID();
            String relative = DIRECTORY + "/" + id + EXTENSION;
            Upload upload =
                    new Upload(id, size, HexFormat.of().formatHex(digest.digest()), views(header), header.metadata());
            Path kept = root.resolve(relative);
            Files.move(partial, kept, StandardCopyOption.ATOMIC_MOVE);
            try {
                if (bucket != null) {
                    bucket.put(relative, kept, new ArtifactBytes.Written(size, upload.sha256()));
                }
                jdbc.update(
                        "insert into checkpoints (id, owner_key, path, size_bytes, sha256, summary) values (?, ?, ?, ?, ?, ?)",
                        id,
                        owner,
                        relative,
                        size,
                        upload.sha256(),
                        json.writeValueAsString(upload));
            } catch (IOException | RuntimeException e) {
                discard(relative, kept, e);
                throw e;
            }
            return upload;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** The upload, if it exists and belongs to {@code owner} (null: keys are off). */
    public Optional<Upload> find(UUID id, String owner) {
        return jdbc
                .query(
                        "select summary from checkpoints where id = ? and owner_key is not distinct from ?",
                        (rs, n) -> rs.getString(1),
                        id,
                        owner)
                .stream()
                .findFirst()
                .map(summary -> json.readValue(summary, Upload.class));
    }

    /**
     * A spec may name only its submitter's uploads: another owner's is refused as if it did not exist.
     *
     * @throws ApiException 400 on {@code model.init.checkpoint}
     */
    public void requireOwn(ExperimentSpec spec, String owner) {
        if (spec.model() == null
                || spec.model().init() == null
                || spec.model().init().checkpoint() == null) {
            return;
        }
        String name = spec.model().init().checkpoint();
        UUID id = parse(name);
        if (id == null || find(id, owner).isEmpty()) {
            throw ApiException.invalidSpec(CheckpointFiles.FIELD, "no uploaded checkpoint has the id '" + name + "'");
        }
    }

    /**
     * The file of the upload a spec's {@code model.init.checkpoint} names, or null when no upload has that
     * id; from the bucket, this process's copy.
     *
     * @throws UncheckedIOException when the bucket cannot be read or its bytes do not match the upload's sha256
     */
    public Path locate(String checkpointId) {
        UUID id = parse(checkpointId);
        if (id == null) {
            return null;
        }
        record Kept(String relative, String sha256) {}
        return jdbc
                .query(
                        "select path, sha256 from checkpoints where id = ?",
                        (rs, n) -> new Kept(rs.getString(1), rs.getString(2)),
                        id)
                .stream()
                .findFirst()
                .map(kept -> local(kept.relative(), kept.sha256()))
                .orElse(null);
    }

    private Path local(String relative, String sha256) {
        Path file = root.resolve(relative).normalize();
        if (!file.startsWith(root.resolve(DIRECTORY))) {
            return null;
        }
        if (Files.isRegularFile(file)) {
            return file;
        }
        if (bucket == null) {
            return null;
        }
        try {
            return fetch(relative, file, sha256);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the bucket's object to {@code file} through a temporary name, checking its sha256. */
    private Path fetch(String relative, Path file, String sha256) throws IOException {
        Path directory = Files.createDirectories(file.getParent());
        Path partial = Files.createTempFile(directory, ".download", ".partial");
        try {
            MessageDigest digest = ArtifactBytes.sha256();
            try (InputStream in = new DigestInputStream(bucket.open(relative), digest)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(sha256)) {
                throw new IOException(
                        "The bucket's " + relative + " has sha256 " + actual + ", not the upload's " + sha256);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Removes a kept upload whose row could not be written (or whose bucket copy failed). */
    private void discard(String relative, Path kept, Exception cause) {
        try {
            Files.deleteIfExists(kept);
            if (bucket != null) {
                bucket.delete(relative);
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static UUID parse(String id) {
        try {
            return id == null ? null : UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<TensorView> views(CheckpointFiles.Header header) {
        return header.tensors().stream()
                .map(tensor -> new TensorView(tensor.name(), tensor.dtype(), tensor.shape()))
                .toList();
    }

    /** Copies up to {@code limit} + 1 bytes: a result above {@code limit} means the body was longer. */
    private static long copyAtMost(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while (total <= limit && (read = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - total))) > 0) {
            out.write(buffer, 0, read);
            total += read;
        }
        return total;
    }
}
