package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.support.SharedData;

/**
 * A phase interrupted at a random step, by a worker's shutdown (which saves a checkpoint as it stops)
 * or by a crash (the last periodic checkpoint is all there is), and resumed by another engine with
 * another work directory, ends bit for bit as the uninterrupted phase: the same metrics and the same
 * state directory. The step is drawn anew on every run; the message names it.
 */
class MidPhaseResumeTest {

    private static final int CHECKPOINT_EVERY_STEPS = 5;

    @TempDir
    Path dir;

    /**
     * Split-MNIST with iCaRL on the MLP (Adam's moments, herding); BiC on the synthetic set (a second
     * stage on a held-out split the generator draws); ABD on a ResNet-8 (the latents of dream replay from
     * the phase's tensor generator, the dreams normalised apart).
     */
    @ParameterizedTest
    @ValueSource(strings = {"icarl-mnist", "bic", "abd"})
    void aPhaseInterruptedAtARandomStepAndResumedElsewhereEqualsTheUninterruptedPhase(String run) throws Exception {
        ExperimentSpec spec = spec(run);
        CilEngine first = engine(run);
        RunPlan plan = first.plan(spec);
        int phase = 1;
        Path previous = Files.createDirectories(dir.resolve("reference-0"));
        first.runPhase(plan, 0, null, previous, Device.cpu(), p -> {}, () -> false);
        // the uninterrupted phase, without checkpoints, counting the cancellation polls (one per training step, and a
        // few more)
        CountingSignal counting = new CountingSignal(Long.MAX_VALUE, false);
        PhaseOutcome reference = first.runPhase(
                plan,
                phase,
                previous,
                Files.createDirectories(dir.resolve("reference-1")),
                Device.cpu(),
                p -> {},
                counting);
        String expectedState = ConcurrentPhasesTest.digest(reference.stateDir());
        List<PhaseMetrics> expected = MetricsWithoutTimings.of(List.of(reference.metrics()));
        long polls = counting.polls.get();

        long seed = System.nanoTime();
        Random draw = new Random(seed);
        long shutdownAt = CHECKPOINT_EVERY_STEPS + 1 + draw.nextLong(polls - CHECKPOINT_EVERY_STEPS - 2);
        long crashAt = CHECKPOINT_EVERY_STEPS + 1 + draw.nextLong(polls - CHECKPOINT_EVERY_STEPS - 2);
        // the last poll is a step of the phase's last stage: BiC's bias stage resumes there after re-running the main
        // one
        long[][] attempts = run.equals("bic")
                ? new long[][] {{shutdownAt, 0}, {crashAt, 1}, {polls - 1, 0}}
                : new long[][] {{shutdownAt, 0}, {crashAt, 1}};
        for (long[] interruption : attempts) {
            long stopAt = interruption[0];
            boolean crash = interruption[1] == 1;
            String attempt =
                    (crash ? "crash" : "shutdown") + " at poll " + stopAt + " of " + polls + " (seed " + seed + ")";
            Path shared = dir.resolve("shared-" + stopAt + crash);
            SharedVolume stopped = new SharedVolume(shared, dir.resolve("worker-a-" + stopAt + crash));
            Path stoppedState = Files.createDirectories(dir.resolve("stopped-" + stopAt + crash));
            assertThatThrownBy(() -> engine(run)
                            .runPhase(
                                    plan,
                                    phase,
                                    previous,
                                    stoppedState,
                                    Device.cpu(),
                                    p -> {},
                                    new CountingSignal(stopAt, crash),
                                    stopped))
                    .as(attempt)
                    .isInstanceOf(crash ? IllegalStateException.class : PhaseCancelledException.class);
            assertThat(stopped.saves).as(attempt).isPositive();

            // another worker: a fresh engine, its own work directory, the checkpoint from the shared volume
            SharedVolume resumed = new SharedVolume(shared, dir.resolve("worker-b-" + stopAt + crash));
            PhaseOutcome outcome = engine(run)
                    .runPhase(
                            engine(run).plan(spec),
                            phase,
                            previous,
                            Files.createDirectories(dir.resolve("resumed-" + stopAt + crash)),
                            Device.cpu(),
                            p -> {},
                            () -> false,
                            resumed);
            assertThat(resumed.resumedStep)
                    .as(attempt + ": resumed, not restarted")
                    .isPositive();
            assertThat(MetricsWithoutTimings.of(List.of(outcome.metrics())))
                    .as(attempt + ", resumed at stage %s step %s", resumed.resumedStage, resumed.resumedStep)
                    .isEqualTo(expected);
            assertThat(ConcurrentPhasesTest.digest(outcome.stateDir()))
                    .as(attempt + ", resumed at stage %s step %s", resumed.resumedStage, resumed.resumedStep)
                    .isEqualTo(expectedState);
        }
    }

    private CilEngine engine(String run) {
        return run.endsWith("mnist")
                ? SharedData.engine()
                : new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
    }

    private static ExperimentSpec spec(String run) {
        return switch (run) {
            case "icarl-mnist" -> {
                ExperimentSpec mnist = SplitMnistBehaviourTest.spec("icarl");
                yield new ExperimentSpec(
                        mnist.name(),
                        mnist.seedOrDefault(),
                        null,
                        mnist.dataset(),
                        new org.mnemos.engine.spec.ProtocolSpec(5, 5, null, null, "natural", null, null),
                        mnist.model(),
                        mnist.method(),
                        mnist.memory(),
                        new org.mnemos.engine.spec.TrainingSpec(
                                null, 60, 128, mnist.training().optimizer(), null, false));
            }
            case "bic" -> PhaseStateTest.spec("bic", new MemorySpec("herding", null, 12));
            case "abd" -> AbdTrainingTest.spec("abd", null, null, "separate");
            default -> throw new IllegalArgumentException(run);
        };
    }

    /** Cancels (a shutdown) or throws (a crash) at its {@code stopAt}-th poll. */
    private static final class CountingSignal implements CancellationSignal {
        private final long stopAt;
        private final boolean crash;
        final AtomicLong polls = new AtomicLong();

        CountingSignal(long stopAt, boolean crash) {
            this.stopAt = stopAt;
            this.crash = crash;
        }

        @Override
        public boolean isCancelled() {
            if (polls.incrementAndGet() < stopAt) {
                return false;
            }
            if (crash) {
                throw new IllegalStateException("the worker died");
            }
            return true;
        }
    }

    /** Checkpoints on a directory every worker reaches, fetched into and written from a worker's own one. */
    static final class SharedVolume implements MidPhaseCheckpoints {
        private final Path shared;
        private final Path local;
        int saves;
        Integer resumedStage;
        Long resumedStep;

        SharedVolume(Path shared, Path local) throws IOException {
            this.shared = Files.createDirectories(shared);
            this.local = Files.createDirectories(local);
        }

        @Override
        public CheckpointInterval interval() {
            return new CheckpointInterval(CHECKPOINT_EVERY_STEPS, null);
        }

        @Override
        public Path latest() throws IOException {
            Path latest = shared.resolve("latest.ckpt");
            if (!Files.exists(latest)) {
                return null;
            }
            return Files.copy(latest, local.resolve("fetched.ckpt"), StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public Path newFile() throws IOException {
            return Files.createTempFile(local, "checkpoint-", ".tmp");
        }

        @Override
        public void save(Path file) throws IOException {
            Files.move(file, shared.resolve("latest.ckpt"), StandardCopyOption.REPLACE_EXISTING);
            saves++;
        }

        @Override
        public void resumed(int stage, String stageName, long step) {
            resumedStage = stage;
            resumedStep = step;
        }
    }
}
