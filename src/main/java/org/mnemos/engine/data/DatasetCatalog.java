package org.mnemos.engine.data;

import java.util.List;
import org.mnemos.engine.spec.DatasetSpec;

/**
 * Known data sets and how to load them: from the data roots, or downloaded (with checksum
 * verification) into the first writable root where downloads are enabled.
 */
public final class DatasetCatalog {

    private final DataRoots roots;

    public DatasetCatalog(DataRoots roots) {
        this.roots = roots;
    }

    public DataRoots roots() {
        return roots;
    }

    /** The data sets this catalog can name, with whether their files are present. */
    public List<DatasetInfo> list() {
        throw new UnsupportedOperationException("being written");
    }

    /** Shape and classes of the data set a spec names, cheaply (no image decoding where avoidable). */
    public DatasetInfo describe(DatasetSpec spec) {
        throw new UnsupportedOperationException("being written");
    }

    /** Loads both splits; cached per spec so consecutive phases do not re-read the files. */
    public DatasetSplits load(DatasetSpec spec) {
        throw new UnsupportedOperationException("being written");
    }
}
