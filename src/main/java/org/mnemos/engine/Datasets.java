package org.mnemos.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.DatasetDownloader;
import org.mnemos.engine.data.DatasetInfo;
import org.mnemos.engine.spec.ExperimentSpec;

/**
 * The data sets as the service sees them, without reaching into {@code engine.data}: what each one
 * is, a run's peak memory on them, and the engine that reads them.
 */
public final class Datasets {

    /** What the catalog knows of a data set without loading its images. */
    public record Entry(
            String name,
            String description,
            int height,
            int width,
            int channels,
            List<String> classNames,
            boolean available) {}

    /** The names of the data sets the engine knows. */
    public static final List<String> NAMES = List.copyOf(DatasetCatalog.NAMES);

    private final DatasetCatalog catalog;

    /** @param downloads whether missing known data sets are fetched into the first writable root */
    public Datasets(DataPaths paths, boolean downloads) {
        this.catalog = new DatasetCatalog(paths.roots, downloads ? DatasetDownloader.official() : null);
    }

    /** Every data set a spec may name, with whether its files are present. */
    public List<Entry> list() {
        return catalog.list().stream().map(Datasets::entry).toList();
    }

    /**
     * The run's estimated peak memory on its data set, with the defaults resolved as the planner resolves them.
     *
     * @throws SpecException or {@link DataPathException} where the data set cannot be described
     */
    public PeakMemory.Estimate estimatePeak(ExperimentSpec spec, boolean onGpu) {
        DatasetInfo info = catalog.describe(spec.dataset());
        ExperimentSpec resolved = SpecDefaults.resolve(spec, info.channels());
        return PeakMemory.estimate(resolved, info, catalog.imageCount(spec.dataset()), onGpu);
    }

    /** @param checkpoints the file of an uploaded checkpoint by its id ({@code model.init.checkpoint}), null when unknown */
    public CilEngine engine(Function<String, Path> checkpoints) {
        return new CilEngine(catalog, checkpoints::apply);
    }

    private static Entry entry(DatasetInfo info) {
        return new Entry(
                info.name(),
                info.description(),
                info.height(),
                info.width(),
                info.channels(),
                info.classNames(),
                info.available());
    }
}
