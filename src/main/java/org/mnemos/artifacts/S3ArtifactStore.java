package org.mnemos.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Artifacts in an S3 bucket ({@code mnemos.artifacts.store: s3}), named as {@link FileSystemArtifactStore}
 * names its files ({@code <prefix><experimentId>/<phase>/<kind>.<ext>}) and recorded in the same rows with
 * the same size and sha256, so clients see the same ETags. A PUT replaces an object whole, so a reader
 * never sees a partial artifact. A directory is zipped to a temporary file first (its length must be
 * known before the upload starts); a file is read once for its sha256 and then streamed from disk.
 */
@Component
@ConditionalOnProperty(name = "mnemos.artifacts.store", havingValue = "s3")
public class S3ArtifactStore implements ArtifactStore {

    private final S3Objects objects;
    private final ArtifactRows rows;

    S3ArtifactStore(S3Objects objects, JdbcTemplate jdbc) {
        this.objects = objects;
        this.rows = new ArtifactRows(jdbc);
    }

    @Override
    public ArtifactRecord store(UUID experimentId, int phaseIndex, String kind, Path source) throws IOException {
        boolean directory = ArtifactRows.isDirectory(source);
        String relative = ArtifactRows.relativePath(experimentId, phaseIndex, kind, source, directory);
        ArtifactBytes.Written written;
        if (directory) {
            Path archive = Files.createTempFile("mnemos-" + kind, ".zip");
            try {
                written = ArtifactBytes.write(source, true, Files.newOutputStream(archive));
                objects.put(relative, archive, written);
            } finally {
                Files.deleteIfExists(archive);
            }
        } else {
            written = ArtifactBytes.write(source, false, OutputStream.nullOutputStream());
            objects.put(relative, source, written);
        }
        ArtifactRecord record =
                new ArtifactRecord(experimentId, phaseIndex, kind, relative, written.sizeBytes(), written.sha256());
        rows.save(record);
        return record;
    }

    @Override
    public Optional<ArtifactRecord> find(UUID experimentId, int phaseIndex, String kind) {
        return rows.find(experimentId, phaseIndex, kind);
    }

    @Override
    public InputStream open(ArtifactRecord artifact) throws IOException {
        return objects.open(artifact.path());
    }

    /** Server-side copies: S3 has no links, and the bytes need not pass through this process. */
    @Override
    public void share(UUID from, UUID to, int lastPhase) throws IOException {
        for (ArtifactRecord artifact : rows.upTo(from, lastPhase)) {
            String relative = ArtifactRows.sharedPath(artifact, to);
            objects.copy(artifact.path(), relative);
            rows.insert(new ArtifactRecord(
                    to, artifact.phaseIndex(), artifact.kind(), relative, artifact.sizeBytes(), artifact.sha256()));
        }
    }

    @Override
    public void delete(UUID experimentId, int phaseIndex, String kind) throws IOException {
        Optional<ArtifactRecord> artifact = find(experimentId, phaseIndex, kind);
        if (artifact.isEmpty()) {
            return;
        }
        rows.delete(artifact.get());
        objects.delete(artifact.get().path());
    }

    @Override
    public void deleteAll(UUID experimentId) throws IOException {
        objects.deleteUnder(experimentId.toString());
    }
}
