package org.mnemos.engine;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.metrics.RunSummary;
import org.mnemos.engine.spec.ExperimentSpec;

/**
 * Runs every phase of a spec in this process, one state directory per phase under {@code workDir}:
 * what the benchmark harness and the engine's behaviour tests use, and what a worker does phase by
 * phase.
 */
public final class LocalRun {

    private LocalRun() {}

    public record Result(RunPlan plan, List<PhaseMetrics> phases, RunSummary summary, double seconds) {}

    public static Result run(
            CilEngine engine, ExperimentSpec spec, Path workDir, Device device, TrainingListener listener) {
        return run(engine, spec, workDir, device, listener, phase -> MidPhaseCheckpoints.NONE);
    }

    /**
     * As above, each phase taking its mid-phase checkpoints into (and resuming from) {@code midPhase}
     * of its index: a bench that shares one phase's training between runs resumes each from it.
     */
    public static Result run(
            CilEngine engine,
            ExperimentSpec spec,
            Path workDir,
            Device device,
            TrainingListener listener,
            IntFunction<MidPhaseCheckpoints> midPhase) {
        long start = System.nanoTime();
        return phases(engine, engine.plan(spec), new ArrayList<>(), null, workDir, device, listener, midPhase, start);
    }

    /**
     * Phases 1 to the last of {@code spec}, continuing from a phase 0 already run (its outcome): the
     * result lists that phase 0 first; its seconds count only the phases run here.
     */
    public static Result continueAfter(
            CilEngine engine,
            ExperimentSpec spec,
            PhaseOutcome phase0,
            Path workDir,
            Device device,
            TrainingListener listener) {
        long start = System.nanoTime();
        List<PhaseMetrics> done = new ArrayList<>(List.of(phase0.metrics()));
        return phases(
                engine,
                engine.plan(spec),
                done,
                phase0.stateDir(),
                workDir,
                device,
                listener,
                phase -> MidPhaseCheckpoints.NONE,
                start);
    }

    /** Runs the phases after the {@code done} ones, each from the previous one's state. */
    private static Result phases(
            CilEngine engine,
            RunPlan plan,
            List<PhaseMetrics> done,
            Path previousState,
            Path workDir,
            Device device,
            TrainingListener listener,
            IntFunction<MidPhaseCheckpoints> midPhase,
            long start) {
        Path previous = previousState;
        for (int phase = done.size(); phase < plan.phaseCount(); phase++) {
            Path stateDir = workDir.resolve("phase-" + phase);
            try {
                Files.createDirectories(stateDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            PhaseOutcome outcome = engine.runPhase(
                    plan, phase, previous, stateDir, device, listener, CancellationSignal.NEVER, midPhase.apply(phase));
            done.add(outcome.metrics());
            previous = outcome.stateDir();
        }
        return new Result(plan, done, RunSummary.of(done), (System.nanoTime() - start) / 1e9);
    }
}
