package org.mnemos.engine;

import java.nio.file.Path;
import java.util.List;
import org.mnemos.engine.data.DataRoots;

/**
 * The data roots as the service sees them: where {@link Datasets} reads, and how a message to a
 * client names them ({@code <data root N>}, never a server path).
 */
public final class DataPaths {

    final DataRoots roots;

    public DataPaths(List<Path> roots) {
        this.roots = new DataRoots(roots);
    }

    /** The message with every data root's path replaced by its label. */
    public String redact(String message) {
        return roots.redact(message);
    }
}
