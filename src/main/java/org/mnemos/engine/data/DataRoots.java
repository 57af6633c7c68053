package org.mnemos.engine.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The directories data sets are read from, laid out as {@code <root>/<dataset>/<official file
 * names>}. Every client-supplied path is resolved here and nowhere else.
 */
public final class DataRoots {

    private final List<Path> roots;

    public DataRoots(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * Resolves a client-supplied relative path inside one of the roots (the first where it exists).
     *
     * @throws DataPathException if the path is absolute, escapes every root (also through symlinks) or exists in none
     */
    public Path resolve(String relativePath) {
        throw new UnsupportedOperationException("being written");
    }

    /** The directory of a known data set ({@code <root>/<name>}) in the first root that has it. */
    public Optional<Path> datasetDirectory(String name) {
        throw new UnsupportedOperationException("being written");
    }
}
