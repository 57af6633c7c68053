package org.mnemos.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The bucket of {@code mnemos.artifacts.store: s3}. Objects are named by a path relative to the store
 * ({@code <experimentId>/<phase>/<kind>.<ext>}, {@code uploads/<id>.safetensors}) under the configured
 * prefix. Uploads stream from a file with a fixed length and carry their sha256, which the server
 * checks; downloads stream from the connection. SDK failures surface as {@link IOException}s, as a
 * file system's would.
 */
@Component
@ConditionalOnProperty(name = "mnemos.artifacts.store", havingValue = "s3")
class S3Objects implements AutoCloseable {

    private final S3Client client;
    private final String bucket;
    private final String prefix;

    S3Objects(ArtifactsProperties properties) {
        ArtifactsProperties.S3 s3 = properties.s3();
        if (s3.bucket() == null || s3.bucket().isBlank()) {
            throw new IllegalStateException("mnemos.artifacts.s3.bucket is required with mnemos.artifacts.store=s3");
        }
        this.bucket = s3.bucket();
        this.prefix = s3.prefix().isEmpty() || s3.prefix().endsWith("/") ? s3.prefix() : s3.prefix() + "/";
        this.client = connect(s3);
    }

    /** A client on the JDK's HTTP connection; credentials from the SDK's default chain. */
    private static S3Client connect(ArtifactsProperties.S3 s3) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .forcePathStyle(s3.pathStyle())
                // checksums only where S3 requires them: many S3-compatible servers reject the SDK's
                // default trailing checksums; uploads carry their sha256 explicitly instead
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (s3.endpoint() != null) {
            builder.endpointOverride(s3.endpoint());
        }
        if (s3.region() != null && !s3.region().isBlank()) {
            builder.region(Region.of(s3.region()));
        } else if (s3.endpoint() != null) {
            // a self-hosted server ignores the region but the signature needs one
            builder.region(Region.US_EAST_1);
        }
        return builder.build();
    }

    /** Uploads {@code file}, whose size and sha256 the caller measured; replaces an object of that name. */
    void put(String relative, Path file, ArtifactBytes.Written written) throws IOException {
        String key = key(relative);
        try {
            client.putObject(
                    request -> request.bucket(bucket)
                            .key(key)
                            .contentLength(written.sizeBytes())
                            .checksumSHA256(Base64.getEncoder()
                                    .encodeToString(HexFormat.of().parseHex(written.sha256()))),
                    RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failure("upload", key, e);
        }
    }

    /** The object's bytes, streamed; {@link NoSuchFileException} when there is none. */
    InputStream open(String relative) throws IOException {
        String key = key(relative);
        try {
            return client.getObject(request -> request.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(relative);
        } catch (SdkException e) {
            throw failure("download", key, e);
        }
    }

    /** A server-side copy: the bytes do not pass through this process. */
    void copy(String fromRelative, String toRelative) throws IOException {
        String from = key(fromRelative);
        String to = key(toRelative);
        try {
            client.copyObject(request -> request.sourceBucket(bucket)
                    .sourceKey(from)
                    .destinationBucket(bucket)
                    .destinationKey(to));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(fromRelative);
        } catch (SdkException e) {
            throw failure("copy to " + to + " of", from, e);
        }
    }

    void delete(String relative) throws IOException {
        String key = key(relative);
        try {
            client.deleteObject(request -> request.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    /**
     * Deletes every object under {@code relativeDirectory}/, one request each: the batch delete needs
     * a checksum header that not every S3-compatible server accepts, and an experiment has few objects.
     */
    void deleteUnder(String relativeDirectory) throws IOException {
        String keyPrefix = key(relativeDirectory) + "/";
        List<String> keys = new ArrayList<>();
        try {
            client.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(keyPrefix))
                    .contents()
                    .forEach(object -> keys.add(object.key()));
            for (String key : keys) {
                client.deleteObject(request -> request.bucket(bucket).key(key));
            }
        } catch (SdkException e) {
            throw failure("delete", keyPrefix + "*", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** Refuses a recorded path that could name an object outside the store (a tampered row). */
    private String key(String relative) throws IOException {
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.contains("\\")) {
                throw new IOException("Artifact path " + relative + " is outside the store");
            }
        }
        return prefix + relative;
    }

    private IOException failure(String action, String key, SdkException e) {
        return new IOException("S3 " + action + " s3://" + bucket + "/" + key + " failed: " + e.getMessage(), e);
    }
}
