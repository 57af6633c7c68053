package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.mnemos.support.InProcessS3;
import org.mnemos.support.TestExperiments;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The store contract on an S3-compatible server (S3Proxy, in process), with a key prefix. */
@SpringBootTest(
        classes = ArtifactsTestApplication.class,
        properties = {
            "mnemos.embedded-db.port=0",
            "mnemos.embedded-db.fsync=false",
            "mnemos.embedded-db.ephemeral=true",
            "mnemos.artifacts.dir=target/test-artifacts-s3"
        })
class S3ArtifactStoreTest extends ArtifactStoreContract {

    private static final String PREFIX = "lab/mnemos/";
    private static final S3Client CLIENT = InProcessS3.client();
    private static String bucket;

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        bucket = InProcessS3.register(registry, PREFIX);
    }

    @AfterAll
    static void closeClient() {
        CLIENT.close();
    }

    @Override
    byte[] backingBytes(String relativePath) {
        try {
            return CLIENT.getObjectAsBytes(request -> request.bucket(bucket).key(PREFIX + relativePath))
                    .asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    @Override
    List<String> backingPaths(UUID experiment) {
        return CLIENT
                .listObjectsV2Paginator(request -> request.bucket(bucket).prefix(PREFIX + experiment + "/"))
                .contents()
                .stream()
                .map(S3Object::key)
                .map(key -> key.substring(PREFIX.length()))
                .toList();
    }

    @Test
    void isTheStoreWhenConfiguredAndKeepsNothingOnLocalDisk() throws Exception {
        assertThat(store).isInstanceOf(S3ArtifactStore.class);
        UUID experiment = TestExperiments.insert(jdbc);
        Path state = Files.createDirectories(temp.resolve("state"));
        Files.writeString(state.resolve("state.json"), "{}");

        store.store(experiment, 0, "state", state);

        assertThat(Path.of("target/test-artifacts-s3", experiment.toString())).doesNotExist();
        assertThat(backingPaths(experiment)).containsExactly(experiment + "/0/state.zip");
    }
}
