package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mnemos.artifacts.ArtifactStore.ArtifactRecord;
import org.mnemos.support.TestExperiments;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest(
        classes = ArtifactsTestApplication.class,
        properties = {
            "mnemos.embedded-db.port=0",
            "mnemos.embedded-db.fsync=false",
            "mnemos.embedded-db.ephemeral=true",
            "mnemos.artifacts.dir=target/test-artifacts"
        })
class FileSystemArtifactStoreTest extends ArtifactStoreContract {

    private Path root() {
        return ((FileSystemArtifactStore) store).root();
    }

    @Override
    byte[] backingBytes(String relativePath) throws IOException {
        Path file = root().resolve(relativePath);
        return Files.exists(file) ? Files.readAllBytes(file) : null;
    }

    @Override
    List<String> backingPaths(UUID experiment) throws IOException {
        Path dir = root().resolve(experiment.toString());
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(file -> root().relativize(file).toString())
                    .toList();
        }
    }

    @Test
    void isTheStoreWhenNoneIsConfigured() {
        assertThat(store).isInstanceOf(FileSystemArtifactStore.class);
    }

    @Test
    void sharesByHardLinkSoTheBytesExistOnce() throws Exception {
        UUID source = TestExperiments.insert(jdbc);
        UUID fork = TestExperiments.insert(jdbc);
        ArtifactRecord original = store.store(source, 0, "weights", Files.writeString(temp.resolve("w.bin"), "w"));

        store.share(source, fork, 0);

        Path shared =
                root().resolve(store.find(fork, 0, "weights").orElseThrow().path());
        assertThat(Files.isSameFile(shared, root().resolve(original.path()))).isTrue();
    }
}
