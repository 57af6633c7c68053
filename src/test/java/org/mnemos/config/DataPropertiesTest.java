package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DataPropertiesTest {

    @Test
    void splitsColonSeparatedRootsIntoAbsolutePaths() {
        assertThat(new DataProperties("/data/a: /data/b::", false).rootPaths())
                .containsExactly(Path.of("/data/a"), Path.of("/data/b"));
    }

    @Test
    void defaultsToSharedDataWhenPresentElseLocalData() {
        Path expected = Files.isDirectory(DataProperties.SHARED_DATA) ? DataProperties.SHARED_DATA : DataProperties.LOCAL_DATA;
        assertThat(new DataProperties(" ", false).rootPaths()).containsExactly(expected.toAbsolutePath().normalize());
        assertThat(new DataProperties(null, false).rootPaths()).containsExactly(expected.toAbsolutePath().normalize());
    }

    @Test
    void catalogDownloadsOnlyWhenEnabled() {
        DataConfiguration config = new DataConfiguration();
        DataProperties off = new DataProperties("/data", false);
        DataProperties on = new DataProperties("/data", true);
        assertThat(config.datasetCatalog(config.dataRoots(off), off).downloadsEnabled()).isFalse();
        assertThat(config.datasetCatalog(config.dataRoots(on), on).downloadsEnabled()).isTrue();
        assertThat(config.dataRoots(on).roots()).containsExactly(Path.of("/data"));
    }
}
