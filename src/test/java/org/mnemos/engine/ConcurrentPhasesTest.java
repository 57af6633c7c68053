package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;

/**
 * A run reproduces bit for bit beside other work in the same process, as on a worker with two slots:
 * every draw of a phase comes from generators seeded by (spec seed, phase), never from PyTorch's
 * process-wide one, which the other run and a thread drawing from it meanwhile keep advancing.
 */
class ConcurrentPhasesTest {

    @TempDir
    Path dir;

    /**
     * iCaRL on an MLP: herding, augmentation, shuffles and linear initialisation draw; ABD on a
     * ResNet-8: convolution initialisation, the generator's and the latent vectors of model inversion.
     */
    @ParameterizedTest
    @ValueSource(strings = {"icarl", "abd"})
    void aRunBesideAnotherRunAndForeignDrawsEqualsTheRunAloneInMetricsAndStateDigests(String method) throws Exception {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        ExperimentSpec spec = method.equals("icarl")
                ? PhaseStateTest.spec("icarl", new MemorySpec("herding", null, 12))
                : AbdTrainingTest.spec("abd", null);
        ExperimentSpec other = new ExperimentSpec(
                spec.name(),
                spec.seedOrDefault() + 1,
                null,
                spec.dataset(),
                spec.protocol(),
                spec.model(),
                spec.method(),
                spec.memory(),
                spec.training());

        LocalRun.Result alone = LocalRun.run(engine, spec, dir.resolve("alone"), Device.cpu(), p -> {});

        ExecutorService slots = Executors.newFixedThreadPool(3);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        try {
            Future<?> foreign = slots.submit(() -> drawFromTheEngineGenerator(start, running));
            Future<LocalRun.Result> beside = slots.submit(() -> {
                start.await();
                return LocalRun.run(engine, spec, dir.resolve("beside"), Device.cpu(), p -> {});
            });
            Future<LocalRun.Result> neighbour = slots.submit(() -> {
                start.await();
                return LocalRun.run(engine, other, dir.resolve("neighbour"), Device.cpu(), p -> {});
            });
            start.countDown();
            LocalRun.Result besideResult = beside.get(5, TimeUnit.MINUTES);
            neighbour.get(5, TimeUnit.MINUTES);
            running.set(false);
            assertThat(foreign.get(1, TimeUnit.MINUTES)).isNull();

            assertThat(MetricsWithoutTimings.of(besideResult.phases()))
                    .isEqualTo(MetricsWithoutTimings.of(alone.phases()));
            for (int phase = 0; phase < alone.plan().phaseCount(); phase++) {
                assertThat(digest(dir.resolve("beside/phase-" + phase)))
                        .as("state of phase %d", phase)
                        .isEqualTo(digest(dir.resolve("alone/phase-" + phase)));
            }
            // the neighbour ran something else: the comparison can tell runs apart
            assertThat(digest(dir.resolve("neighbour/phase-0"))).isNotEqualTo(digest(dir.resolve("alone/phase-0")));
        } finally {
            running.set(false);
            slots.shutdownNow();
        }
    }

    /** What a concurrent phase on the old code did: re-seed and draw on PyTorch's generator, here without pause. */
    private static Void drawFromTheEngineGenerator(CountDownLatch start, AtomicBoolean running)
            throws InterruptedException {
        start.await();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            long draws = 0;
            while (running.get()) {
                ai.djl.engine.Engine.getInstance().setRandomSeed((int) draws);
                manager.randomNormal(0f, 1f, new Shape(64), DataType.FLOAT32, Device.cpu())
                        .close();
                manager.randomUniform(0f, 1f, new Shape(64), DataType.FLOAT32, Device.cpu())
                        .close();
                draws++;
            }
        }
        return null;
    }

    /** sha256 over a state directory: every file's relative path and bytes, in path order. */
    static String digest(Path stateDir) {
        try (Stream<Path> files = Files.walk(stateDir)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                sha.update(stateDir.relativize(file).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(file));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
