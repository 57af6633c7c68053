package org.mnemos.artifacts;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/** An artifact's bytes (a file, or a directory as a zip), measured while they are written. */
final class ArtifactBytes {

    /** What was written: the size and sha256 an artifact's row records (and its ETag). */
    record Written(long sizeBytes, String sha256) {}

    private ArtifactBytes() {}

    /** Writes {@code source} to {@code target} (closed afterwards); the bytes never sit in memory whole. */
    static Written write(Path source, boolean directory, OutputStream target) throws IOException {
        MessageDigest sha256 = sha256();
        CountingOutputStream counter = new CountingOutputStream(new BufferedOutputStream(target));
        try (OutputStream out = new DigestOutputStream(counter, sha256)) {
            if (directory) {
                Zips.zipDirectory(source, out);
            } else {
                Files.copy(source, out);
            }
        }
        return new Written(counter.count, HexFormat.of().formatHex(sha256.digest()));
    }

    /** Checks that an artifact is an archive and {@code targetDir} can take it (created, must be empty). */
    static void prepareExtraction(ArtifactStore.ArtifactRecord artifact, Path targetDir) throws IOException {
        if (!artifact.path().endsWith(".zip")) {
            throw new IOException("Artifact " + artifact.path() + " is not an archive");
        }
        Files.createDirectories(targetDir);
        try (Stream<Path> entries = Files.list(targetDir)) {
            if (entries.findAny().isPresent()) {
                throw new DirectoryNotEmptyException(targetDir.toString());
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime provides SHA-256", e);
        }
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
