package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.artifacts.ArtifactStore.ArtifactRecord;
import org.mnemos.support.TestExperiments;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

@SpringBootTest(
        classes = ArtifactsTestApplication.class,
        properties = {
            "mnemos.embedded-db.port=0",
            "mnemos.embedded-db.fsync=false",
            "mnemos.embedded-db.ephemeral=true",
            "mnemos.artifacts.dir=target/test-artifacts"
        })
class FileSystemArtifactStoreTest {

    @Autowired
    FileSystemArtifactStore store;

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path temp;

    @Test
    void storesAFileWithItsSha256AndSizeAndRecordsIt() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        byte[] content = "model parameters".repeat(1000).getBytes(StandardCharsets.UTF_8);
        Path source = Files.write(temp.resolve("model.params"), content);

        ArtifactRecord record = store.store(experiment, 2, "weights", source);

        assertThat(record.path()).isEqualTo(experiment + "/2/weights.params");
        assertThat(record.sizeBytes()).isEqualTo(content.length);
        assertThat(record.sha256()).isEqualTo(sha256(content));
        assertThat(store.root().resolve(record.path())).hasBinaryContent(content);
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
    void archivesADirectoryAndExtractsItBack() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        Path state = Files.createDirectories(temp.resolve("state"));
        Files.writeString(state.resolve("state.json"), "{\"phase\":0}");
        Files.createDirectories(state.resolve("nested"));
        Files.write(state.resolve("nested/means.bin"), new byte[] {1, 2, 3, (byte) 255});

        ArtifactRecord record = store.store(experiment, 0, "state", state);
        assertThat(record.path()).endsWith("/0/state.zip");
        assertThat(record.sha256())
                .isEqualTo(sha256(Files.readAllBytes(store.root().resolve(record.path()))));

        Path restored = temp.resolve("restored");
        store.extractTo(record, restored);
        assertThat(restored.resolve("state.json")).hasContent("{\"phase\":0}");
        assertThat(restored.resolve("nested/means.bin")).hasBinaryContent(new byte[] {1, 2, 3, (byte) 255});

        assertThatThrownBy(() -> store.extractTo(record, restored)).isInstanceOf(DirectoryNotEmptyException.class);
    }

    @Test
    void deletingOneArtifactRemovesItsFileAndRowAndLeavesTheOthers() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        ArtifactRecord checkpoint = store.store(
                experiment, 1, "mid-phase-checkpoint", Files.write(temp.resolve("latest.ckpt"), new byte[] {4, 2}));
        ArtifactRecord weights =
                store.store(experiment, 1, "weights", Files.write(temp.resolve("w.params"), new byte[] {1}));

        store.delete(experiment, 1, "mid-phase-checkpoint");
        store.delete(experiment, 1, "mid-phase-checkpoint");

        assertThat(store.find(experiment, 1, "mid-phase-checkpoint")).isEmpty();
        assertThat(store.root().resolve(checkpoint.path())).doesNotExist();
        assertThat(store.find(experiment, 1, "weights")).contains(weights);
        assertThat(store.root().resolve(weights.path())).exists();
    }

    @Test
    void storingAgainReplacesTheArtifactAndItsRow() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        store.store(experiment, 0, "weights", Files.writeString(temp.resolve("a.bin"), "first"));
        ArtifactRecord second =
                store.store(experiment, 0, "weights", Files.writeString(temp.resolve("b.bin"), "second"));

        assertThat(store.find(experiment, 0, "weights")).contains(second);
        assertThat(store.root().resolve(second.path())).hasContent("second");
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
    void deleteAllRemovesTheExperimentsFolderOnly() throws Exception {
        UUID experiment = TestExperiments.insert(jdbc);
        UUID other = TestExperiments.insert(jdbc);
        Path file = Files.writeString(temp.resolve("x.txt"), "x");
        store.store(experiment, 0, "weights", file);
        store.store(experiment, 1, "weights", file);
        ArtifactRecord kept = store.store(other, 0, "weights", file);

        store.deleteAll(experiment);

        assertThat(store.root().resolve(experiment.toString())).doesNotExist();
        assertThat(store.root().resolve(kept.path())).exists();
        store.deleteAll(experiment); // nothing left: no error
    }

    @Test
    void rejectsKindsThatCouldFormAPath() throws Exception {
        Path file = Files.writeString(temp.resolve("x.txt"), "x");
        assertThatThrownBy(() -> store.store(UUID.randomUUID(), 0, "../x", file))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
