package org.mnemos.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Artifacts under {@code mnemos.artifacts.dir} as {@code <experimentId>/<phase>/<kind>.<ext>}
 * (directories become {@code .zip}). Files are written to a temporary name and moved into place,
 * so a reader never sees a partial artifact; the size and sha256 are computed while writing.
 */
@Component
@ConditionalOnProperty(name = "mnemos.artifacts.store", havingValue = "filesystem", matchIfMissing = true)
public class FileSystemArtifactStore implements ArtifactStore {

    private final Path root;
    private final ArtifactRows rows;

    public FileSystemArtifactStore(ArtifactsProperties properties, JdbcTemplate jdbc) {
        this.root = properties.dir().toAbsolutePath().normalize();
        this.rows = new ArtifactRows(jdbc);
    }

    public Path root() {
        return root;
    }

    @Override
    public ArtifactRecord store(UUID experimentId, int phaseIndex, String kind, Path source) throws IOException {
        boolean directory = ArtifactRows.isDirectory(source);
        String relative = ArtifactRows.relativePath(experimentId, phaseIndex, kind, source, directory);
        Path target = root.resolve(relative);
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempFile(target.getParent(), "." + kind, ".partial");
        try {
            ArtifactBytes.Written written = ArtifactBytes.write(source, directory, Files.newOutputStream(partial));
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ArtifactRecord record =
                    new ArtifactRecord(experimentId, phaseIndex, kind, relative, written.sizeBytes(), written.sha256());
            rows.save(record);
            return record;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    @Override
    public Optional<ArtifactRecord> find(UUID experimentId, int phaseIndex, String kind) {
        return rows.find(experimentId, phaseIndex, kind);
    }

    @Override
    public InputStream open(ArtifactRecord artifact) throws IOException {
        return Files.newInputStream(locate(artifact));
    }

    /** Hard links: the bytes exist once, and deleting one experiment's directory leaves the other's link. */
    @Override
    public void share(UUID from, UUID to, int lastPhase) throws IOException {
        for (ArtifactRecord artifact : rows.upTo(from, lastPhase)) {
            Path source = locate(artifact);
            String relative = ArtifactRows.sharedPath(artifact, to);
            Path target = root.resolve(relative);
            Files.createDirectories(target.getParent());
            try {
                Files.createLink(target, source);
            } catch (UnsupportedOperationException | FileSystemException e) {
                // a store spread over file systems (or one without links): the bytes, copied
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
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
        Files.deleteIfExists(locate(artifact.get()));
    }

    @Override
    public void deleteAll(UUID experimentId) throws IOException {
        Path dir = root.resolve(experimentId.toString());
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Refuses a recorded path that points outside the root (a tampered row). */
    private Path locate(ArtifactRecord artifact) throws IOException {
        Path file = root.resolve(artifact.path()).normalize();
        if (!file.startsWith(root)) {
            throw new IOException("Artifact path " + artifact.path() + " is outside the store");
        }
        return file;
    }
}
