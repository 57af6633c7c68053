package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.experiment.SpecReader;

class DataPropertiesTest {

    @Test
    void splitsColonSeparatedRootsIntoAbsolutePaths() {
        assertThat(new DataProperties("/data/a: /data/b::", false).rootPaths())
                .containsExactly(Path.of("/data/a"), Path.of("/data/b"));
    }

    @Test
    void defaultsToSharedDataWhenPresentElseLocalData() {
        Path expected =
                Files.isDirectory(DataProperties.SHARED_DATA) ? DataProperties.SHARED_DATA : DataProperties.LOCAL_DATA;
        assertThat(new DataProperties(" ", false).rootPaths())
                .containsExactly(expected.toAbsolutePath().normalize());
        assertThat(new DataProperties(null, false).rootPaths())
                .containsExactly(expected.toAbsolutePath().normalize());
    }

    /** Without downloads a data set whose files are missing is refused at planning; with them it plans (and is fetched by the worker). */
    @Test
    void catalogDownloadsOnlyWhenEnabled(@TempDir Path root) {
        DataConfiguration config = new DataConfiguration();
        DataProperties off = new DataProperties(root.toString(), false);
        DataProperties on = new DataProperties(root.toString(), true);
        ExperimentSpec mnist = SpecReader.json().readValue("""
                {"dataset":{"name":"mnist"},"protocol":{"initialClasses":2,"increment":2},"model":{"backbone":"mlp"},
                 "method":{"name":"finetune"},"training":{"iterations":1,"batchSize":8,"optimizer":{"name":"adam","lr":0.001}}}""", ExperimentSpec.class);
        assertThatThrownBy(() -> config.datasets(config.dataPaths(off), off)
                        .engine(id -> null)
                        .plan(mnist))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("dataset.name");
        assertThat(config.datasets(config.dataPaths(on), on)
                        .engine(id -> null)
                        .plan(mnist)
                        .phases())
                .hasSize(5);
        assertThat(config.dataPaths(on).redact(root.resolve("mnist") + " is missing"))
                .isEqualTo("<data root 1>/mnist is missing");
    }
}
