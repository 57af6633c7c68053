package org.mnemos.artifacts;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.mnemos.artifacts.ArtifactStore.ArtifactRecord;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code artifacts} rows and the names every store gives an artifact: {@code <experimentId>/<phase>/<kind>.<ext>}
 * relative to the store's root (a directory, or a key prefix), so a store's rows stay valid when its files are
 * copied to the other kind of store.
 */
final class ArtifactRows {

    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]{1,10}");

    private final JdbcTemplate jdbc;

    ArtifactRows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Where {@code source} goes; a directory is archived as {@code .zip}. */
    static String relativePath(UUID experimentId, int phaseIndex, String kind, Path source, boolean directory) {
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("Artifact kind '" + kind + "' is not a lowercase name");
        }
        if (phaseIndex < 0) {
            throw new IllegalArgumentException("Phase index must not be negative: " + phaseIndex);
        }
        return experimentId + "/" + phaseIndex + "/" + kind + "." + (directory ? "zip" : extension(source));
    }

    /** Whether {@code source} is a directory; a missing source is refused. */
    static boolean isDirectory(Path source) throws NoSuchFileException {
        boolean directory = Files.isDirectory(source);
        if (!directory && !Files.isRegularFile(source)) {
            throw new NoSuchFileException(source.toString());
        }
        return directory;
    }

    /** The shared artifact's path under {@code to}: same phase, same file name. */
    static String sharedPath(ArtifactRecord artifact, UUID to) {
        String name = artifact.path().substring(artifact.path().lastIndexOf('/') + 1);
        return to + "/" + artifact.phaseIndex() + "/" + name;
    }

    /** Records a stored artifact, replacing the row of an earlier one of the same phase and kind. */
    void save(ArtifactRecord record) {
        jdbc.update(
                "insert into artifacts (experiment_id, phase_index, kind, path, size_bytes, sha256) values (?, ?, ?, ?, ?, ?)"
                        + " on conflict (experiment_id, phase_index, kind) do update set path = excluded.path,"
                        + " size_bytes = excluded.size_bytes, sha256 = excluded.sha256, created_at = now()",
                record.experimentId(),
                record.phaseIndex(),
                record.kind(),
                record.path(),
                record.sizeBytes(),
                record.sha256());
    }

    /** Records a shared artifact (a fork's reused phase): a new experiment's row, so a plain insert. */
    void insert(ArtifactRecord record) {
        jdbc.update(
                "insert into artifacts (experiment_id, phase_index, kind, path, size_bytes, sha256) values (?, ?, ?, ?, ?, ?)",
                record.experimentId(),
                record.phaseIndex(),
                record.kind(),
                record.path(),
                record.sizeBytes(),
                record.sha256());
    }

    /** Forgets one artifact's row (its bytes are the store's to delete). */
    void delete(ArtifactRecord record) {
        jdbc.update(
                "delete from artifacts where experiment_id = ? and phase_index = ? and kind = ?",
                record.experimentId(),
                record.phaseIndex(),
                record.kind());
    }

    Optional<ArtifactRecord> find(UUID experimentId, int phaseIndex, String kind) {
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

    /** Every artifact of phases 0..{@code lastPhase}, in phase and kind order. */
    List<ArtifactRecord> upTo(UUID experimentId, int lastPhase) {
        return jdbc.query(
                "select phase_index, kind, path, size_bytes, sha256 from artifacts where experiment_id = ? and phase_index <= ?"
                        + " order by phase_index, kind",
                (rs, row) -> new ArtifactRecord(
                        experimentId, rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5)),
                experimentId,
                lastPhase);
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "bin" : name.substring(dot + 1);
        return EXTENSION.matcher(ext).matches() ? ext : "bin";
    }
}
