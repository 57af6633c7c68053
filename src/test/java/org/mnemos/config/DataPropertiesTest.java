package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DataPropertiesTest {

    @Test
    void splitsColonSeparatedRootsIntoAbsolutePaths() {
        assertThat(new DataProperties("/data/a: /data/b::").rootPaths())
                .containsExactly(Path.of("/data/a"), Path.of("/data/b"));
    }

    @Test
    void defaultsToSharedDataWhenPresentElseLocalData() {
        Path expected = Files.isDirectory(DataProperties.SHARED_DATA) ? DataProperties.SHARED_DATA : DataProperties.LOCAL_DATA;
        assertThat(new DataProperties(" ").rootPaths()).containsExactly(expected.toAbsolutePath().normalize());
        assertThat(new DataProperties(null).rootPaths()).containsExactly(expected.toAbsolutePath().normalize());
    }
}
