package org.mnemos.engine;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        long start = System.nanoTime();
        RunPlan plan = engine.plan(spec);
        List<PhaseMetrics> metrics = new ArrayList<>();
        Path previous = null;
        for (int phase = 0; phase < plan.phaseCount(); phase++) {
            Path stateDir = workDir.resolve("phase-" + phase);
            try {
                Files.createDirectories(stateDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            PhaseOutcome outcome =
                    engine.runPhase(plan, phase, previous, stateDir, device, listener, CancellationSignal.NEVER);
            metrics.add(outcome.metrics());
            previous = outcome.stateDir();
        }
        return new Result(plan, metrics, RunSummary.of(metrics), (System.nanoTime() - start) / 1e9);
    }
}
