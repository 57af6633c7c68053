package org.mnemos.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mnemos.support.InProcessS3;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** {@code mnemos.artifacts.store} picks exactly one store; a wrong value or a missing bucket stops the start. */
class ArtifactStoreSelectionTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ArtifactsProperties.class)
    static class Stores {
        /** Never connects: the stores only keep it. */
        @Bean
        JdbcTemplate jdbc() {
            return new JdbcTemplate(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none"));
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Stores.class, FileSystemArtifactStore.class, S3Objects.class, S3ArtifactStore.class);

    @Test
    void theFileStoreByDefault() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ArtifactStore.class);
            assertThat(context).hasSingleBean(FileSystemArtifactStore.class);
            assertThat(context).doesNotHaveBean(S3Objects.class);
        });
    }

    @Test
    void theS3StoreWhenConfiguredInAnyCase() {
        runner.withPropertyValues(
                        "mnemos.artifacts.store=S3",
                        "mnemos.artifacts.s3.bucket=selection",
                        "mnemos.artifacts.s3.endpoint=" + InProcessS3.endpoint())
                .run(context -> {
                    assertThat(context).hasSingleBean(ArtifactStore.class);
                    assertThat(context).hasSingleBean(S3ArtifactStore.class);
                    assertThat(context.getBean(ArtifactsProperties.class).store())
                            .isEqualTo(ArtifactsProperties.Store.S3);
                });
    }

    @Test
    void anUnknownStoreOrAMissingBucketStopsTheStart() {
        runner.withPropertyValues("mnemos.artifacts.store=s4")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("s4"));
        runner.withPropertyValues("mnemos.artifacts.store=s3")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("mnemos.artifacts.s3.bucket is required"));
    }
}
