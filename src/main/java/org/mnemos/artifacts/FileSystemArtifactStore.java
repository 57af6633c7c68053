package org.mnemos.artifacts;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Artifacts under {@code mnemos.artifacts.dir} as {@code <experimentId>/<phase>/<kind>.<ext>}
 * (directories become {@code .zip}). Files are written to a temporary name and moved into place,
 * so a reader never sees a partial artifact; the size and sha256 are computed while writing.
 */
@Component
public class FileSystemArtifactStore implements ArtifactStore {

    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]{1,10}");

    private final Path root;
    private final JdbcTemplate jdbc;

    public FileSystemArtifactStore(ArtifactsProperties properties, JdbcTemplate jdbc) {
        this.root = properties.dir().toAbsolutePath().normalize();
        this.jdbc = jdbc;
    }

    public Path root() {
        return root;
    }

    @Override
    public ArtifactRecord store(UUID experimentId, int phaseIndex, String kind, Path source) throws IOException {
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("Artifact kind '" + kind + "' is not a lowercase name");
        }
        if (phaseIndex < 0) {
            throw new IllegalArgumentException("Phase index must not be negative: " + phaseIndex);
        }
        boolean directory = Files.isDirectory(source);
        if (!directory && !Files.isRegularFile(source)) {
            throw new NoSuchFileException(source.toString());
        }
        String relative = experimentId + "/" + phaseIndex + "/" + kind + "." + (directory ? "zip" : extension(source));
        Path target = root.resolve(relative);
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempFile(target.getParent(), "." + kind, ".partial");
        try {
            MessageDigest sha256 = sha256();
            CountingOutputStream counter;
            try (OutputStream out = new DigestOutputStream(
                    counter = new CountingOutputStream(new BufferedOutputStream(Files.newOutputStream(partial))),
                    sha256)) {
                if (directory) {
                    Zips.zipDirectory(source, out);
                } else {
                    Files.copy(source, out);
                }
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ArtifactRecord record = new ArtifactRecord(
                    experimentId,
                    phaseIndex,
                    kind,
                    relative,
                    counter.count,
                    HexFormat.of().formatHex(sha256.digest()));
            jdbc.update(
                    "insert into artifacts (experiment_id, phase_index, kind, path, size_bytes, sha256) values (?, ?, ?, ?, ?, ?)"
                            + " on conflict (experiment_id, phase_index, kind) do update set path = excluded.path,"
                            + " size_bytes = excluded.size_bytes, sha256 = excluded.sha256, created_at = now()",
                    experimentId,
                    phaseIndex,
                    kind,
                    relative,
                    record.sizeBytes(),
                    record.sha256());
            return record;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    @Override
    public Optional<ArtifactRecord> find(UUID experimentId, int phaseIndex, String kind) {
        return jdbc
                .query(
                        "select path, size_bytes, sha256 from artifacts where experiment_id = ? and phase_index = ? and kind = ?",
                        (rs, row) -> new ArtifactRecord(
                                experimentId, phaseIndex, kind, rs.getString(1), rs.getLong(2), rs.getString(3)),
                        experimentId,
                        phaseIndex,
                        kind)
                .stream()
                .findFirst();
    }

    @Override
    public InputStream open(ArtifactRecord artifact) throws IOException {
        return Files.newInputStream(locate(artifact));
    }

    @Override
    public void extractTo(ArtifactRecord artifact, Path targetDir) throws IOException {
        if (!artifact.path().endsWith(".zip")) {
            throw new IOException("Artifact " + artifact.path() + " is not an archive");
        }
        Files.createDirectories(targetDir);
        try (Stream<Path> entries = Files.list(targetDir)) {
            if (entries.findAny().isPresent()) {
                throw new DirectoryNotEmptyException(targetDir.toString());
            }
        }
        try (InputStream in = open(artifact)) {
            Zips.extract(in, targetDir);
        }
    }

    /** Hard links: the bytes exist once, and deleting one experiment's directory leaves the other's link. */
    @Override
    public void share(UUID from, UUID to, int lastPhase) throws IOException {
        record Shared(int phase, String kind, String path, long size, String sha256) {}
        List<Shared> shared = jdbc.query(
                "select phase_index, kind, path, size_bytes, sha256 from artifacts where experiment_id = ? and phase_index <= ?"
                        + " order by phase_index, kind",
                (rs, row) -> new Shared(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5)),
                from,
                lastPhase);
        for (Shared artifact : shared) {
            Path source = locate(new ArtifactRecord(
                    from, artifact.phase(), artifact.kind(), artifact.path(), artifact.size(), artifact.sha256()));
            String relative = to + "/" + artifact.phase() + "/" + source.getFileName();
            Path target = root.resolve(relative);
            Files.createDirectories(target.getParent());
            try {
                Files.createLink(target, source);
            } catch (UnsupportedOperationException | FileSystemException e) {
                // a store spread over file systems (or one without links): the bytes, copied
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
            jdbc.update(
                    "insert into artifacts (experiment_id, phase_index, kind, path, size_bytes, sha256) values (?, ?, ?, ?, ?, ?)",
                    to,
                    artifact.phase(),
                    artifact.kind(),
                    relative,
                    artifact.size(),
                    artifact.sha256());
        }
    }

    @Override
    public void delete(UUID experimentId, int phaseIndex, String kind) throws IOException {
        Optional<ArtifactRecord> artifact = find(experimentId, phaseIndex, kind);
        if (artifact.isEmpty()) {
            return;
        }
        jdbc.update(
                "delete from artifacts where experiment_id = ? and phase_index = ? and kind = ?",
                experimentId,
                phaseIndex,
                kind);
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

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "bin" : name.substring(dot + 1);
        return EXTENSION.matcher(ext).matches() ? ext : "bin";
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime provides SHA-256", e);
        }
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
