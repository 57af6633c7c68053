package org.mnemos.bench;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.MidPhaseCheckpoints;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.phase.TrainingStage;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Phase 0's training done once for several arms of one seed whose specs differ only in what acts
 * after that training (the memory: selector, mnemonics stage, storage) or from phase 1 on
 * ({@code model.scaledKernels}). The end of the training is kept as the engine's mid-phase
 * checkpoint ({@link MidPhaseCheckpoints}), taken after its last step: the network with its running
 * statistics, the optimizer, and both of the phase's generators (the session's and the tensor one)
 * as the training left them. Each arm's phase 0 resumes from it: it builds its network, takes no
 * training step, and runs its own memory update and evaluation with the draws an uninterrupted phase
 * 0 makes after its training (the mnemonics stage's held-out split, shuffles and augmentation come
 * from the same generator as the training's). An arm's run is therefore the run {@link LocalRun}
 * makes of its spec, bit for bit, at the cost of one phase-0 training per seed.
 */
final class SharedPhaseZero {

    private static final String CHECKPOINT = "phase0-trained.ckpt";

    private final ExperimentSpec trained;
    private final Path checkpoint;
    private final long steps;
    private final double seconds;

    private SharedPhaseZero(ExperimentSpec trained, Path checkpoint, long steps, double seconds) {
        this.trained = trained;
        this.checkpoint = checkpoint;
        this.steps = steps;
        this.seconds = seconds;
    }

    /**
     * Trains phase 0 of {@code spec} into {@code dir}, keeping the end of its main stage; the phase's
     * own state (its memory, evaluation) is not used.
     */
    static SharedPhaseZero train(CilEngine engine, ExperimentSpec spec, Path dir) throws IOException {
        long start = System.nanoTime();
        RunPlan plan = engine.plan(spec);
        long steps = mainStageSteps(engine, plan);
        Path checkpoint = dir.resolve(CHECKPOINT);
        SharedCheckpoint store = new SharedCheckpoint(dir, checkpoint, steps);
        engine.runPhase(
                plan,
                0,
                null,
                Files.createDirectories(dir.resolve("phase-0")),
                Device.cpu(),
                p -> {},
                CancellationSignal.NEVER,
                store);
        if (!Files.exists(checkpoint)) {
            throw new IllegalStateException("phase 0 took no checkpoint after its " + steps + " training steps");
        }
        return new SharedPhaseZero(spec, checkpoint, steps, (System.nanoTime() - start) / 1e9);
    }

    /** Seconds the shared phase 0 took (its training, and its memory update and evaluation, not used). */
    double seconds() {
        return seconds;
    }

    /**
     * Every phase of {@code spec}, phase 0 resumed from the shared training, one state directory per
     * phase under {@code workDir}; the seconds count this arm's own work (its phase 0's memory update
     * and evaluation, and phases 1 onwards).
     *
     * @throws IllegalArgumentException when the spec's phase 0 may train otherwise than the shared one
     * @throws IllegalStateException when phase 0 did not resume at the end of the shared training
     */
    LocalRun.Result run(CilEngine engine, ExperimentSpec spec, Path workDir) throws IOException {
        if (!trainingPart(spec).equals(trainingPart(trained))) {
            throw new IllegalArgumentException(
                    "spec " + spec.name() + " differs from " + trained.name() + " in more than its memory and"
                            + " model.scaledKernels: its phase 0 may train otherwise, so it cannot share the training");
        }
        SharedCheckpoint store = new SharedCheckpoint(workDir, checkpoint, steps);
        return LocalRun.run(engine, spec, workDir, Device.cpu(), p -> {}, phase -> {
            if (phase == 0) {
                return store;
            }
            if (store.resumedStep == null || store.resumedStep != steps) {
                throw new IllegalStateException("phase 0 of " + spec.name() + " resumed at step " + store.resumedStep
                        + ", not at the end of the shared training (step " + steps + ")");
            }
            return MidPhaseCheckpoints.NONE;
        });
    }

    /** The spec without what acts only after phase 0's training: its name, memory and scaled kernels. */
    private static ExperimentSpec trainingPart(ExperimentSpec spec) {
        ModelSpec m = spec.model();
        return new ExperimentSpec(
                null,
                spec.seed(),
                spec.preset(),
                spec.dataset(),
                spec.protocol(),
                new ModelSpec(m.backbone(), m.hiddenUnits(), m.head(), m.aggregation(), m.shortcut(), m.init(), null),
                spec.method(),
                null,
                spec.training(),
                spec.resources());
    }

    /**
     * Optimizer steps of phase 0's main stage: its epochs over the images of phase 0's classes (the
     * memory is empty in phase 0, so every method trains on those).
     */
    private static long mainStageSteps(CilEngine engine, RunPlan plan) {
        TrainingSpec training = plan.spec().training();
        if (training.base() != null) {
            throw new IllegalArgumentException("a shared phase 0 takes no training.base");
        }
        int samples = engine.datasets()
                .load(plan.spec().dataset())
                .train()
                .indicesOfLabels(plan.phases().get(0))
                .length;
        return new TrainingStage(
                        "main",
                        training.epochs() == null ? 0 : training.epochs(),
                        training.iterations() == null ? 0 : training.iterations(),
                        training.batchSize(),
                        training.optimizer(),
                        training.schedule())
                .steps(samples);
    }

    /**
     * The one shared checkpoint, after the main stage's last step: the training run records it (the
     * first save; a later stage's, none in the bench's methods, is dropped), and every arm resumes
     * from it and drops the checkpoints its own phase 0 would take.
     */
    private static final class SharedCheckpoint implements MidPhaseCheckpoints {
        private final Path dir;
        private final Path checkpoint;
        private final long steps;
        Long resumedStep;

        SharedCheckpoint(Path dir, Path checkpoint, long steps) {
            this.dir = dir;
            this.checkpoint = checkpoint;
            this.steps = steps;
        }

        @Override
        public CheckpointInterval interval() {
            return new CheckpointInterval(steps, null);
        }

        @Override
        public Path latest() {
            return Files.exists(checkpoint) ? checkpoint : null;
        }

        @Override
        public Path newFile() throws IOException {
            return Files.createTempFile(dir, "checkpoint-", ".tmp");
        }

        @Override
        public void save(Path file) throws IOException {
            if (Files.exists(checkpoint)) {
                Files.delete(file);
            } else {
                Files.move(file, checkpoint);
            }
        }

        @Override
        public void resumed(int stage, String stageName, long step) {
            if (stage == 0) {
                resumedStep = step;
            }
        }
    }
}
