package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.support.InProcessS3;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The bucket's operations against an in-process S3-compatible server (S3Proxy), without Spring. */
class S3ObjectsTest {

    private static final S3Client CLIENT = InProcessS3.client();
    private static String bucket;
    private static S3Objects objects;

    @TempDir
    Path temp;

    @BeforeAll
    static void connect() {
        bucket = InProcessS3.newBucket("objects");
        objects = new S3Objects(properties(bucket, "runs"));
    }

    @AfterAll
    static void close() {
        objects.close();
        CLIENT.close();
    }

    private static ArtifactsProperties properties(String bucket, String prefix) {
        return new ArtifactsProperties(
                Path.of("unused"),
                ArtifactsProperties.Store.S3,
                new ArtifactsProperties.S3(InProcessS3.endpoint(), bucket, "", prefix, true));
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(temp.resolve(name), content);
    }

    private static ArtifactBytes.Written measured(Path file) throws IOException {
        return ArtifactBytes.write(file, false, java.io.OutputStream.nullOutputStream());
    }

    private static List<String> keys(String prefix) {
        return CLIENT.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                .toList();
    }

    @Test
    void putsUnderThePrefixWithASlashAddedAndReadsBack() throws Exception {
        Path file = file("a.bin", "alpha");

        objects.put("e1/0/a.bin", file, measured(file));

        assertThat(keys("runs/e1/")).containsExactly("runs/e1/0/a.bin");
        try (InputStream in = objects.open("e1/0/a.bin")) {
            assertThat(in.readAllBytes()).isEqualTo("alpha".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aMissingObjectIsAMissingFile() {
        assertThatThrownBy(() -> objects.open("nothing/here.bin")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> objects.copy("nothing/here.bin", "nothing/there.bin"))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void copiesOnTheServerAndDeletesOnlyUnderADirectory() throws Exception {
        Path file = file("b.bin", "beta");
        objects.put("e2/0/b.bin", file, measured(file));
        objects.put("e2/1/b.bin", file, measured(file));
        objects.put("e20/0/b.bin", file, measured(file));

        objects.copy("e2/0/b.bin", "e3/0/b.bin");
        objects.deleteUnder("e2");

        assertThat(keys("runs/e2/")).isEmpty();
        assertThat(keys("runs/e20/")).containsExactly("runs/e20/0/b.bin");
        try (InputStream in = objects.open("e3/0/b.bin")) {
            assertThat(in.readAllBytes()).isEqualTo("beta".getBytes(StandardCharsets.UTF_8));
        }
        objects.delete("e3/0/b.bin");
        assertThat(keys("runs/e3/")).isEmpty();
    }

    @Test
    void theServerRefusesBytesThatDoNotMatchTheSha256TheyCarry() throws Exception {
        Path file = file("c.bin", "actual bytes");
        Path other = file("d.bin", "other bytes!");

        assertThatThrownBy(() -> objects.put("e4/0/c.bin", file, measured(other)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("s3://" + bucket + "/runs/e4/0/c.bin");
        assertThat(keys("runs/e4/")).isEmpty();
    }

    @Test
    void refusesPathsThatCouldLeaveThePrefix() {
        for (String path : List.of("../x.bin", "e/../../x.bin", "/x.bin", "e//x.bin", "e/./x.bin", "e\\x.bin")) {
            assertThatThrownBy(() -> objects.open(path))
                    .as(path)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("outside the store");
        }
    }

    @Test
    void failsClearlyWithoutABucketOrWithTheWrongOne() throws Exception {
        assertThatThrownBy(() -> new S3Objects(properties(" ", "")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mnemos.artifacts.s3.bucket");
        Path file = file("e.bin", "e");
        try (S3Objects missing = new S3Objects(properties("no-such-bucket", ""))) {
            assertThatThrownBy(() -> missing.put("e.bin", file, measured(file)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("s3://no-such-bucket/e.bin");
        }
    }
}
