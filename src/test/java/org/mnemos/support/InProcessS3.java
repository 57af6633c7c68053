package org.mnemos.support;

import java.net.URI;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.springframework.test.context.DynamicPropertyRegistry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3-compatible server per test JVM, in process: S3Proxy (org.gaul:s3proxy) on its in-memory blob
 * store, on a loopback port, checking AWS signatures. The service finds the credentials through the SDK's
 * default chain, as in production: they are set as the {@code aws.accessKeyId} and {@code aws.secretAccessKey}
 * system properties.
 */
public final class InProcessS3 {

    private static final String ACCESS_KEY = "mnemos-test-access";
    private static final String SECRET_KEY = "mnemos-test-secret";

    private static S3Proxy proxy;

    private InProcessS3() {}

    public static synchronized URI endpoint() {
        if (proxy == null) {
            System.setProperty("aws.accessKeyId", ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", SECRET_KEY);
            S3Proxy started = S3Proxy.builder()
                    .blobStore(new TransientNio2BlobStore())
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .build();
            try {
                started.start();
                for (int i = 0; i < 1000 && !"STARTED".equals(started.getState()); i++) {
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the in-process S3 server", e);
            }
            if (!"STARTED".equals(started.getState())) {
                throw new IllegalStateException("the in-process S3 server did not start: " + started.getState());
            }
            proxy = started;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.stop();
                } catch (Exception ignored) {
                    // the JVM is going away and the store is in memory
                }
            }));
        }
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** A client of the server for a test's own checks, past the service. */
    public static S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** A new, empty bucket. */
    public static String newBucket(String prefix) {
        String bucket = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Client client = client()) {
            client.createBucket(request -> request.bucket(bucket));
        }
        return bucket;
    }

    /** Points {@code mnemos.artifacts} at a new bucket of this server under {@code prefix}; returns the bucket. */
    public static String register(DynamicPropertyRegistry registry, String prefix) {
        String bucket = newBucket("mnemos");
        registry.add("mnemos.artifacts.store", () -> "s3");
        registry.add("mnemos.artifacts.s3.endpoint", () -> endpoint().toString());
        registry.add("mnemos.artifacts.s3.bucket", () -> bucket);
        registry.add("mnemos.artifacts.s3.prefix", () -> prefix);
        registry.add("mnemos.artifacts.s3.path-style", () -> "true");
        return bucket;
    }
}
