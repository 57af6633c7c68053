package org.mnemos.artifacts;

import org.mnemos.config.EmbeddedDatabaseConfiguration;
import org.mnemos.config.EmbeddedDbProperties;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/** The artifacts feature alone on an embedded database; the store is chosen by {@code mnemos.artifacts.store}. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableConfigurationProperties({EmbeddedDbProperties.class, ArtifactsProperties.class})
@Import({
    EmbeddedDatabaseConfiguration.class,
    FileSystemArtifactStore.class,
    S3Objects.class,
    S3ArtifactStore.class,
    PhaseDownloads.class,
    ArtifactDownloadController.class
})
class ArtifactsTestApplication {}
