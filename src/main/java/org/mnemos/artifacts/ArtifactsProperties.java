package org.mnemos.artifacts;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param dir root of the artifact store, shared by the API and every worker */
@ConfigurationProperties("mnemos.artifacts")
public record ArtifactsProperties(
        @DefaultValue("./.mnemos/artifacts") Path dir) {}
