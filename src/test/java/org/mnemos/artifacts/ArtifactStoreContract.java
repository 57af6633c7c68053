package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.artifacts.ArtifactStore.ArtifactRecord;
import org.mnemos.support.TestExperiments;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What every {@link ArtifactStore} does, run against each implementation by a subclass that says how to
 * read its backing storage directly (past the store).
 */
abstract class ArtifactStoreContract {

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path temp;

    /** The bytes the backing storage holds under a store-relative path, or null when it holds none. */
    abstract byte[] backingBytes(String relativePath) throws IOException;

    /** The store-relative paths the backing storage holds for an experiment. */
    abstract List<String> backingPaths(UUID experiment) throws IOException;

    @Test
    void storesAFileWithItsSha256AndSizeAndRecordsIt() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        byte[] content = "model parameters".repeat(1000).getBytes(StandardCharsets.UTF_8);
        Path source = Files.write(temp.resolve("model.params"), content);

        ArtifactRecord record = store.store(experiment, 2, "weights", source);

        assertThat(record.path()).isEqualTo(experiment + "/2/weights.params");
        assertThat(record.sizeBytes()).isEqualTo(content.length);
        assertThat(record.sha256()).isEqualTo(sha256(content));
        assertThat(backingBytes(record.path())).isEqualTo(content);
        assertThat(store.find(experiment, 2, "weights")).contains(record);
        assertThat(jdbc.queryForObject(
                        "select sha256 from artifacts where experiment_id = ? and phase_index = 2 and kind = 'weights'",
                        String.class,
                        experiment))
                .isEqualTo(record.sha256());
        try (InputStream in = store.open(record)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(store.find(experiment, 3, "weights")).isEmpty();
    }

    @Test
    void streamsAFileLargerThanAnyBufferBothWays() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        byte[] content = new byte[6 * 1024 * 1024 + 17];
        new Random(24).nextBytes(content);
        Path source = Files.write(temp.resolve("big.bin"), content);

        ArtifactRecord record = store.store(experiment, 0, "checkpoint", source);

        assertThat(record.sizeBytes()).isEqualTo(content.length);
        assertThat(record.sha256()).isEqualTo(sha256(content));
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = store.open(record)) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                read.update(buffer, 0, n);
            }
        }
        assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(record.sha256());
    }

    @Test
    void archivesADirectoryAndExtractsItBack() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        Path state = Files.createDirectories(temp.resolve("state"));
        Files.writeString(state.resolve("state.json"), "{\"phase\":0}");
        Files.createDirectories(state.resolve("nested"));
        Files.write(state.resolve("nested/means.bin"), new byte[] {1, 2, 3, (byte) 255});

        ArtifactRecord record = store.store(experiment, 0, "state", state);
        assertThat(record.path()).isEqualTo(experiment + "/0/state.zip");
        byte[] archive = backingBytes(record.path());
        assertThat(record.sha256()).isEqualTo(sha256(archive));
        assertThat(record.sizeBytes()).isEqualTo(archive.length);

        Path restored = temp.resolve("restored");
        store.extractTo(record, restored);
        assertThat(restored.resolve("state.json")).hasContent("{\"phase\":0}");
        assertThat(restored.resolve("nested/means.bin")).hasBinaryContent(new byte[] {1, 2, 3, (byte) 255});

        assertThatThrownBy(() -> store.extractTo(record, restored)).isInstanceOf(DirectoryNotEmptyException.class);
    }

    @Test
    void theSameDirectoryGivesTheSameSha256() throws Exception {
        Path state = Files.createDirectories(temp.resolve("state"));
        Files.writeString(state.resolve("state.json"), "{\"phase\":1}");
        Files.write(state.resolve("model.params"), new byte[] {9, 8, 7});

        ArtifactRecord first = store.store(TestExperiments.insert(jdbc), 1, "state", state);
        ArtifactRecord second = store.store(TestExperiments.insert(jdbc), 1, "state", state);

        assertThat(second.sha256()).isEqualTo(first.sha256());
        assertThat(second.sizeBytes()).isEqualTo(first.sizeBytes());
    }

    @Test
    void refusesToExtractAFileThatIsNotAnArchive() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        ArtifactRecord record = store.store(experiment, 0, "weights", Files.writeString(temp.resolve("w.bin"), "w"));

        assertThatThrownBy(() -> store.extractTo(record, temp.resolve("out")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not an archive");
    }

    @Test
    void storingAgainReplacesTheArtifactAndItsRow() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        store.store(experiment, 0, "weights", Files.writeString(temp.resolve("a.bin"), "first"));
        ArtifactRecord second =
                store.store(experiment, 0, "weights", Files.writeString(temp.resolve("b.bin"), "second"));

        assertThat(store.find(experiment, 0, "weights")).contains(second);
        assertThat(backingBytes(second.path())).isEqualTo("second".getBytes(StandardCharsets.UTF_8));
        assertThat(jdbc.queryForObject(
                        "select count(*) from artifacts where experiment_id = ?", Integer.class, experiment))
                .isEqualTo(1);
    }

    @Test
    void refusesToExtractAnEntryThatEscapesTheTarget() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        Path evil = temp.resolve("evil.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(evil))) {
            zip.putNextEntry(new ZipEntry("ok.txt"));
            zip.write(1);
            zip.putNextEntry(new ZipEntry("../escaped.txt"));
            zip.write(2);
        }
        ArtifactRecord record = store.store(experiment, 0, "state", evil);
        Path target = temp.resolve("target");

        assertThatThrownBy(() -> store.extractTo(record, target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("escapes");
        assertThat(temp.resolve("escaped.txt")).doesNotExist();
    }

    @Test
    void refusesARecordedPathOutsideTheStore() {
        ArtifactRecord tampered = new ArtifactRecord(UUID.randomUUID(), 0, "state", "../outside.zip", 1, "00");

        assertThatThrownBy(() -> store.open(tampered))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("outside the store");
    }

    @Test
    void sharesAPrefixOfPhasesWithTheSameBytesAndSha256AndSurvivesTheSourcesDeletion() throws Exception {
        UUID source = TestExperiments.insert(jdbc);
        UUID fork = TestExperiments.insert(jdbc);
        Path state = Files.createDirectories(temp.resolve("state"));
        Files.writeString(state.resolve("state.json"), "{\"phase\":0}");
        ArtifactRecord state0 = store.store(source, 0, "state", state);
        ArtifactRecord weights0 = store.store(source, 0, "weights", Files.writeString(temp.resolve("w0.bin"), "w0"));
        ArtifactRecord weights1 = store.store(source, 1, "weights", Files.writeString(temp.resolve("w1.bin"), "w1"));

        store.share(source, fork, 0);

        ArtifactRecord sharedState = store.find(fork, 0, "state").orElseThrow();
        assertThat(sharedState.path()).isEqualTo(fork + "/0/state.zip");
        assertThat(sharedState.sha256()).isEqualTo(state0.sha256());
        assertThat(sharedState.sizeBytes()).isEqualTo(state0.sizeBytes());
        assertThat(store.find(fork, 0, "weights").orElseThrow().sha256()).isEqualTo(weights0.sha256());
        assertThat(store.find(fork, 1, "weights")).as("phase 1 is not shared").isEmpty();

        store.deleteAll(source);

        assertThatThrownBy(() -> store.open(weights1)).isInstanceOf(NoSuchFileException.class);
        Path restored = temp.resolve("restored");
        store.extractTo(sharedState, restored);
        assertThat(restored.resolve("state.json")).hasContent("{\"phase\":0}");
        try (InputStream in = store.open(store.find(fork, 0, "weights").orElseThrow())) {
            assertThat(in.readAllBytes()).isEqualTo("w0".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void deleteAllRemovesTheExperimentsArtifactsOnly() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        UUID other = TestExperiments.insert(jdbc);
        Path file = Files.writeString(temp.resolve("x.txt"), "x");
        ArtifactRecord gone = store.store(experiment, 0, "weights", file);
        store.store(experiment, 1, "weights", file);
        ArtifactRecord kept = store.store(other, 0, "weights", file);

        store.deleteAll(experiment);

        assertThat(backingPaths(experiment)).isEmpty();
        assertThatThrownBy(() -> store.open(gone)).isInstanceOf(NoSuchFileException.class);
        assertThat(backingPaths(other)).containsExactly(kept.path());
        store.deleteAll(experiment); // nothing left: no error
    }

    @Test
    void deleteRemovesOneArtifactAndItsRowOnly() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        ArtifactRecord checkpoint = store.store(
                experiment, 1, "mid-phase-checkpoint", Files.writeString(temp.resolve("c.bin"), "checkpoint"));
        ArtifactRecord weights =
                store.store(experiment, 1, "weights", Files.write(temp.resolve("w.params"), new byte[] {1}));

        store.delete(experiment, 1, "mid-phase-checkpoint");
        store.delete(experiment, 1, "mid-phase-checkpoint"); // nothing left: no error

        assertThat(store.find(experiment, 1, "mid-phase-checkpoint")).isEmpty();
        assertThat(backingBytes(checkpoint.path())).isNull();
        assertThat(store.find(experiment, 1, "weights")).contains(weights);
        assertThat(backingPaths(experiment)).containsExactly(weights.path());
    }

    @Test
    void rejectsKindsThatCouldFormAPathAndNegativePhases() throws Exception {
        Path file = Files.writeString(temp.resolve("x.txt"), "x");
        assertThatThrownBy(() -> store.store(UUID.randomUUID(), 0, "../x", file))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.store(UUID.randomUUID(), -1, "weights", file))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.store(UUID.randomUUID(), 0, "weights", temp.resolve("missing.bin")))
                .isInstanceOf(NoSuchFileException.class);
    }

    static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
