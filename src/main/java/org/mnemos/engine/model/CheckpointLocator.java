package org.mnemos.engine.model;

import java.nio.file.Path;

/** Finds the file of an uploaded checkpoint a spec's {@code model.init.checkpoint} names. */
@FunctionalInterface
public interface CheckpointLocator {

    /** An engine without uploads: every name is unknown. */
    CheckpointLocator NONE = id -> null;

    /** The checkpoint's safetensors file, or null when no checkpoint has that id. */
    Path locate(String checkpointId);
}
