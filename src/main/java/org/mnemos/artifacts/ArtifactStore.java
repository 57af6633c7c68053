package org.mnemos.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * Files a phase produced, in the configured store (a directory, or an S3 bucket), recorded in
 * {@code artifacts} with size and sha256. Kinds: {@code state} (the engine's state directory, needed to run the next phase),
 * {@code exemplars} and {@code checkpoint} (the downloads).
 */
public interface ArtifactStore {

    /** The kind of the engine's state directory, which the next phase starts from. */
    String STATE = "state";

    /** Moves or copies {@code source} (a file or a directory, archived) into the store and records it. */
    ArtifactRecord store(UUID experimentId, int phaseIndex, String kind, Path source) throws IOException;

    Optional<ArtifactRecord> find(UUID experimentId, int phaseIndex, String kind);

    InputStream open(ArtifactRecord artifact) throws IOException;

    /** Restores an archived {@code state} artifact into {@code targetDir} (created, must be empty). */
    default void extractTo(ArtifactRecord artifact, Path targetDir) throws IOException {
        ArtifactBytes.prepareExtraction(artifact, targetDir);
        try (InputStream in = open(artifact)) {
            Zips.extract(in, targetDir);
        }
    }

    /**
     * Makes every artifact of {@code from}'s phases 0..{@code lastPhase} also {@code to}'s, with the
     * same bytes and sha256, without copying where the store can help it (a fork's reused phases).
     * Deleting either experiment afterwards leaves the other's artifacts intact.
     */
    void share(UUID from, UUID to, int lastPhase) throws IOException;

    /**
     * Removes one artifact and its record, if there is one: a phase's mid-phase checkpoint once the
     * phase completed.
     */
    void delete(UUID experimentId, int phaseIndex, String kind) throws IOException;

    /** Removes every file of an experiment (its rows go with the experiment's cascade). */
    void deleteAll(UUID experimentId) throws IOException;

    record ArtifactRecord(UUID experimentId, int phaseIndex, String kind, String path, long sizeBytes, String sha256) {}
}
