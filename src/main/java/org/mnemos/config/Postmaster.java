package org.mnemos.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server process of a data directory, found through its {@code postmaster.pid}
 * (first line: the PID, second: the data directory). Stopped by signalling it directly, because
 * {@code pg_ctl stop} refuses to run as root, and because the server of a JVM that was SIGKILLed
 * outlives it, re-parented to PID 1, with no {@code pg_ctl} caller left.
 */
final class Postmaster {

    private static final Logger log = LoggerFactory.getLogger(Postmaster.class);
    private static final Duration PORT_PROBE_TIMEOUT = Duration.ofMillis(500);

    private final ProcessHandle process;

    private Postmaster(ProcessHandle process) {
        this.process = process;
    }

    /** The live server of {@code dataDir}; empty when none runs (no pid file, a stale one, or a PID now used by another program). */
    static Optional<Postmaster> of(Path dataDir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the postmaster.pid of " + dataDir, e);
        }
        if (lines.size() < 2 || !sameDirectory(Path.of(lines.get(1).trim()), dataDir)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                // after a reboot the PID may belong to an unrelated program
                .filter(p -> p.info()
                        .command()
                        .map(c -> Path.of(c).getFileName().toString().equals("postgres"))
                        .orElse(false))
                .map(Postmaster::new);
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code wait} for the server to end by itself; returns whether it did. */
    boolean exitsWithin(Duration wait) {
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for PostgreSQL server " + pid() + " to stop failed", e);
        }
    }

    /** SIGTERM (PostgreSQL's smart shutdown: its clients are gone), then SIGKILL if it is still up after {@code wait}. */
    void stop(Duration wait) {
        process.destroy();
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn(
                    "PostgreSQL server {} did not stop within {}; killing it (it recovers from its WAL on the next start)",
                    pid(),
                    wait);
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for PostgreSQL server " + pid() + " to stop failed", e);
        }
    }

    /** Whether something accepts connections on the loopback {@code port}. */
    static boolean portInUse(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) PORT_PROBE_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
