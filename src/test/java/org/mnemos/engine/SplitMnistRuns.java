package org.mnemos.engine;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.mnemos.engine.support.SharedData;

/**
 * Runs of {@link SplitMnistBehaviourTest#spec} made once per test JVM: several behaviour tests set
 * their methods against the same baselines (finetune above all), and each run costs tens of seconds.
 */
final class SplitMnistRuns {

    private static final Map<String, LocalRun.Result> RUNS = new ConcurrentHashMap<>();
    private static Path work;

    private SplitMnistRuns() {}

    static synchronized LocalRun.Result of(String method) {
        LocalRun.Result done = RUNS.get(method);
        if (done == null) {
            done = LocalRun.run(
                    SharedData.engine(),
                    SplitMnistBehaviourTest.spec(method),
                    work().resolve(method),
                    Device.cpu(),
                    p -> {});
            RUNS.put(method, done);
        }
        return done;
    }

    private static Path work() {
        if (work == null) {
            try {
                work = Files.createTempDirectory("split-mnist-runs");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path created = work;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(created)));
        }
        return work;
    }

    private static void delete(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
