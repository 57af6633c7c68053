package org.mnemos.bench;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.MidPhaseCheckpoints;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.TrainingListener;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * What a mid-phase checkpoint costs (part {@code checkpoint}): phase 0 of Split-MNIST on the MLP
 * 784-400-400 (Adam, batch 128) and of 10 CIFAR-shaped classes on ResNet-32 (SGD with momentum,
 * batch 128, augmentation), each run without checkpoints and with one every {@code every} steps,
 * alternately, twice each, per seed. Prints the seconds one checkpoint takes inside the phase (writing the file: parameters,
 * running statistics, optimizer buffers, order and generators; the store's move onto the "shared
 * volume", here a local directory, included), its size, and the phase's mean wall time in both arms.
 */
final class CheckpointBench {

    private CheckpointBench() {}

    static void run(Path data, List<Long> seeds, Device device) throws IOException {
        System.out.printf(
                "## Mid-phase checkpoints (issue 24): cost per checkpoint, %s%n%n"
                        + "| network | steps | every | seed | checkpoints | s per checkpoint (mean, max) | MB |"
                        + " phase s without | phase s with | difference per checkpoint s |%n"
                        + "|---|---|---|---|---|---|---|---|---|---|%n",
                device);
        for (long seed : seeds) {
            measure("MLP 784-400-400", mnist(seed), data, 200, 20, device, seed);
            measure("ResNet-32", cifar(seed), data, 30, 10, device, seed);
        }
        System.out.println();
    }

    private static void measure(
            String network, ExperimentSpec spec, Path data, int steps, int every, Device device, long seed)
            throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        ExperimentSpec sized = new ExperimentSpec(
                spec.name(),
                spec.seedOrDefault(),
                null,
                spec.dataset(),
                spec.protocol(),
                spec.model(),
                spec.method(),
                spec.memory(),
                new TrainingSpec(
                        null,
                        steps,
                        spec.training().batchSize(),
                        spec.training().optimizer(),
                        null,
                        spec.training().augment()));
        RunPlan plan = engine.plan(sized);
        // the first run of the process warms the data set and libtorch; timed runs follow
        engine.runPhase(
                plan,
                0,
                null,
                Files.createTempDirectory("ckpt-warm"),
                device,
                TrainingListener.NONE,
                CancellationSignal.NEVER);
        // alternating arms, twice each, so that drift in the machine's load falls on both
        double without = 0;
        double with = 0;
        TimedStore store = null;
        for (int repeat = 0; repeat < 2; repeat++) {
            long start = System.nanoTime();
            engine.runPhase(
                    plan,
                    0,
                    null,
                    Files.createTempDirectory("ckpt-none"),
                    device,
                    TrainingListener.NONE,
                    CancellationSignal.NEVER);
            without += (System.nanoTime() - start) / 2e9;
            store = new TimedStore(Files.createTempDirectory("ckpt-store"), every);
            start = System.nanoTime();
            engine.runPhase(
                    plan,
                    0,
                    null,
                    Files.createTempDirectory("ckpt-with"),
                    device,
                    TrainingListener.NONE,
                    CancellationSignal.NEVER,
                    store);
            with += (System.nanoTime() - start) / 2e9;
        }
        double mean = store.seconds.stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(Double.NaN);
        double max =
                store.seconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        System.out.printf(
                "| %s | %d | %d | %d | %d | %.4f, %.4f | %.2f | %.2f | %.2f | %.4f |%n",
                network,
                steps,
                every,
                seed,
                store.seconds.size(),
                mean,
                max,
                store.bytes / 1e6,
                without,
                with,
                (with - without) / Math.max(store.seconds.size(), 1));
    }

    private static ExperimentSpec mnist(long seed) {
        return new ExperimentSpec(
                "checkpoint-bench-mlp",
                seed,
                null,
                DatasetSpec.named("mnist"),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", List.of(400, 400), "linear"),
                MethodSpec.named("icarl"),
                new MemorySpec("herding", 20, null),
                new TrainingSpec(
                        null, 1, 128, new OptimizerSpec("adam", 1e-3, null, null, null, null, null), null, false));
    }

    /** CIFAR-shaped: the shared data hold no CIFAR-100 images, and the cost depends on the network, not the pixels. */
    private static ExperimentSpec cifar(long seed) {
        return new ExperimentSpec(
                "checkpoint-bench-resnet32",
                seed,
                null,
                new DatasetSpec("synthetic", null, null, 20, 500, 100, 32, 3),
                new ProtocolSpec(10, 10, null, null, "natural", null, null),
                new ModelSpec("resnet32", null, "linear"),
                MethodSpec.named("icarl"),
                new MemorySpec("herding", 20, null),
                new TrainingSpec(
                        null, 1, 128, new OptimizerSpec("sgd", 0.1, 0.9, 5e-4, false, null, null), null, true));
    }

    /** A checkpoint store on a local directory that times each checkpoint from its new file to its stored copy. */
    private static final class TimedStore implements MidPhaseCheckpoints {
        private final Path dir;
        private final long every;
        private final List<Double> seconds = new ArrayList<>();
        private long opened;
        private long bytes;

        TimedStore(Path dir, long every) {
            this.dir = dir;
            this.every = every;
        }

        @Override
        public CheckpointInterval interval() {
            return new CheckpointInterval(every, Duration.ZERO);
        }

        @Override
        public Path latest() {
            return null;
        }

        @Override
        public Path newFile() {
            opened = System.nanoTime();
            return dir.resolve("writing.ckpt");
        }

        @Override
        public void save(Path file) {
            try {
                bytes = Files.size(file);
                Files.move(file, dir.resolve("latest.ckpt"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            seconds.add((System.nanoTime() - opened) / 1e9);
        }
    }
}
