package org.mnemos.engine.data;

import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.DatasetSpec;

/**
 * Known data sets and how to load them: from the data roots, or downloaded (with checksum
 * verification) into the first writable root where downloads are enabled.
 */
public final class DatasetCatalog {

    public static final String MNIST = "mnist";
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SYNTHETIC = SyntheticDataset.NAME;
    public static final List<String> NAMES = List.of(MNIST, FASHION_MNIST, SYNTHETIC);

    /** Loaded splits are large; keep only the last few, and let the GC take them under memory pressure. */
    private static final int CACHED_SPLITS = 3;

    private final DataRoots roots;
    private final Map<DatasetSpec, SoftReference<DatasetSplits>> cache =
            new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<DatasetSpec, SoftReference<DatasetSplits>> eldest) {
                    return size() > CACHED_SPLITS;
                }
            };

    public DatasetCatalog(DataRoots roots) {
        this.roots = roots;
    }

    public DataRoots roots() {
        return roots;
    }

    /** The data sets this catalog can name, with whether their files are present. */
    public List<DatasetInfo> list() {
        List<DatasetInfo> infos = new ArrayList<>();
        for (String name : NAMES) {
            infos.add(switch (name) {
                case MNIST, FASHION_MNIST -> idxInfo(name, idxDirectory(name).isPresent());
                default -> SyntheticDataset.fromSpec(DatasetSpec.named(SYNTHETIC)).info();
            });
        }
        return List.copyOf(infos);
    }

    /** Shape and classes of the data set a spec names, cheaply (no image decoding where avoidable). */
    public DatasetInfo describe(DatasetSpec spec) {
        String name = checkedName(spec);
        return switch (name) {
            case MNIST, FASHION_MNIST -> {
                Optional<Path> dir = idxDirectory(name);
                if (dir.isEmpty()) {
                    yield idxInfo(name, false);
                }
                IdxReader.ImagesHeader header = IdxReader.readTrainHeader(dir.get());
                yield new DatasetInfo(name, description(name), header.rows(), header.cols(), 1, idxClasses(name), true);
            }
            default -> SyntheticDataset.fromSpec(spec).info();
        };
    }

    /** Loads both splits; cached per spec so consecutive phases do not re-read the files. */
    public DatasetSplits load(DatasetSpec spec) {
        String name = checkedName(spec);
        DatasetSpec key = cacheKey(name, spec);
        synchronized (cache) {
            SoftReference<DatasetSplits> cached = cache.get(key);
            DatasetSplits hit = cached == null ? null : cached.get();
            if (hit != null) {
                return hit;
            }
            DatasetSplits loaded = switch (name) {
                case MNIST, FASHION_MNIST -> {
                    Path dir = idxDirectory(name).orElseThrow(() -> missing(name));
                    yield new DatasetSplits(
                            IdxReader.readSplit(dir, true, name, idxClasses(name)),
                            IdxReader.readSplit(dir, false, name, idxClasses(name)));
                }
                default -> SyntheticDataset.fromSpec(spec).generate();
            };
            cache.put(key, new SoftReference<>(loaded));
            return loaded;
        }
    }

    private Optional<Path> idxDirectory(String name) {
        return roots.roots().stream()
                .map(root -> root.resolve(name))
                .filter(IdxReader::isPresent)
                .findFirst();
    }

    private static DatasetInfo idxInfo(String name, boolean available) {
        return new DatasetInfo(name, description(name), 28, 28, 1, idxClasses(name), available);
    }

    private static List<String> idxClasses(String name) {
        return name.equals(MNIST) ? IdxReader.MNIST_CLASSES : IdxReader.FASHION_MNIST_CLASSES;
    }

    private static String description(String name) {
        return switch (name) {
            case MNIST -> "MNIST handwritten digits, 28x28 grey, 60000 train / 10000 test";
            case FASHION_MNIST -> "Fashion-MNIST Zalando articles, 28x28 grey, 60000 train / 10000 test";
            default -> name;
        };
    }

    private DataPathException missing(String name) {
        return new DataPathException("data set " + name + " is not present: expected its official files in <root>/" + name
                + "/ under one of the data roots " + roots.roots());
    }

    private static DatasetSpec cacheKey(String name, DatasetSpec spec) {
        if (name.equals(SYNTHETIC)) {
            return new DatasetSpec(name, null, null, spec.syntheticClasses(), spec.syntheticTrainPerClass(),
                    spec.syntheticTestPerClass(), spec.syntheticImageSize(), spec.syntheticChannels());
        }
        return DatasetSpec.named(name);
    }

    private static String checkedName(DatasetSpec spec) {
        if (spec == null || spec.name() == null || spec.name().isBlank()) {
            throw new SpecException("dataset.name", "is required; allowed: " + String.join(", ", NAMES));
        }
        String name = spec.name().trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(name)) {
            throw new SpecException("dataset.name", "unknown data set '" + spec.name() + "'; allowed: " + String.join(", ", NAMES));
        }
        return name;
    }
}
