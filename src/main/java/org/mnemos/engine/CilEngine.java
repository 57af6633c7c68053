package org.mnemos.engine;

import ai.djl.Device;
import java.nio.file.Path;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.train.CancellationSignal;
import org.mnemos.engine.train.TrainingListener;

/**
 * The engine the service dispatches: plans a run, trains one phase at a time from the state the
 * previous phase left, and evaluates a saved state. No Spring here; usable on its own.
 */
public final class CilEngine {

    private final DatasetCatalog datasets;

    public CilEngine(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    /** Resolves class order and phases; throws {@link SpecException} naming the offending field. */
    public RunPlan plan(ExperimentSpec spec) {
        throw new UnsupportedOperationException("being written");
    }

    /**
     * Trains phase {@code phase} of {@code plan}.
     *
     * @param previousState the state directory phase-1 produced; null for phase 0
     * @param stateDir an empty directory where this phase's state is written
     */
    public PhaseOutcome runPhase(
            RunPlan plan,
            int phase,
            Path previousState,
            Path stateDir,
            Device device,
            TrainingListener listener,
            CancellationSignal cancel) {
        throw new UnsupportedOperationException("being written");
    }

    /** Loads a saved phase state and evaluates it on the test split, reproducing its metrics. */
    public PhaseMetrics evaluate(RunPlan plan, int phase, Path stateDir, Device device) {
        throw new UnsupportedOperationException("being written");
    }
}
