package org.mnemos.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;

/**
 * Starts an embedded PostgreSQL on a data directory and port, then ends its JVM abruptly, as a
 * SIGKILL would: the server survives, re-parented to PID 1, as a leftover for the next start.
 */
public final class AbandonedPostgres {

    private AbandonedPostgres() {}

    public static void main(String[] args) throws Exception {
        EmbeddedPostgres.builder()
                .setDataDirectory(Path.of(args[0]))
                .setPort(Integer.parseInt(args[1]))
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "localhost")
                .start();
        Runtime.getRuntime().halt(0);
    }
}
