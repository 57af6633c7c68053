package org.mnemos.artifacts;

import java.nio.file.Path;
import java.util.UUID;
import org.mnemos.engine.RunPlan;

/** Builds and stores the downloads of a completed phase from the engine's state directory. */
public interface PhaseArtifacts {

    /** Stores {@code exemplars} and {@code checkpoint} zips for the phase; I/O failures are unchecked. */
    void storeDownloads(UUID experimentId, int phase, RunPlan plan, Path stateDir);
}
