package org.mnemos.artifacts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import org.mnemos.engine.RunPlan;

/**
 * Builds and stores the downloads of a completed phase ({@code exemplars} zip with manifest,
 * {@code checkpoint} zip) from the engine's state directory. Called by the worker inside the
 * transaction that records the phase as completed.
 */
public interface PhaseArtifacts {

    void storeDownloads(UUID experimentId, int phase, RunPlan plan, Path stateDir) throws IOException;
}
