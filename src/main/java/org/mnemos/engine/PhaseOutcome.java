package org.mnemos.engine;

import java.nio.file.Path;
import org.mnemos.engine.metrics.PhaseMetrics;

/**
 * The result of one phase: its metrics and the directory holding the state for the next phase
 * (model parameters, head layout, exemplar memory, class means) — everything needed to run phase
 * k+1 on another worker with the same result.
 */
public record PhaseOutcome(PhaseMetrics metrics, Path stateDir) {}
