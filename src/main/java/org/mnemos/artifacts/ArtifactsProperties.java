package org.mnemos.artifacts;

import java.net.URI;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param dir root of the artifact store, shared by the API and every worker; with {@code store: s3},
 *     only this process's copies of uploaded checkpoints
 * @param store where artifacts live: {@code filesystem} (under {@code dir}) or {@code s3}
 * @param s3 the bucket, with {@code store: s3}
 */
@ConfigurationProperties("mnemos.artifacts")
public record ArtifactsProperties(
        @DefaultValue("./.mnemos/artifacts") Path dir,
        @DefaultValue("filesystem") Store store,
        @DefaultValue S3 s3) {

    public enum Store {
        FILESYSTEM,
        S3
    }

    /**
     * An S3 bucket (AWS, or any S3-compatible server). Credentials come from the SDK's default chain
     * (environment, system properties, profile, web identity, container or instance role).
     *
     * @param endpoint the server's URL; empty: AWS's endpoint for the region
     * @param bucket the bucket, which must exist
     * @param region the signing region; empty: the SDK's region chain, or {@code us-east-1} with an endpoint
     * @param prefix key prefix, e.g. {@code mnemos/}; every key of the store starts with it
     * @param pathStyle {@code http://host/bucket/key} addressing, as most self-hosted servers need
     */
    public record S3(
            URI endpoint,
            String bucket,
            String region,
            @DefaultValue("") String prefix,
            @DefaultValue("false") boolean pathStyle) {}
}
