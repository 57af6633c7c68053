package org.mnemos.engine.data;

import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mnemos.engine.DataPathException;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.DatasetSpec;

/**
 * Known data sets and how to load them: from the data roots, or downloaded (with checksum
 * verification) into the first writable root where downloads are enabled.
 */
public final class DatasetCatalog {

    public static final String MNIST = "mnist";
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String CIFAR10 = "cifar10";
    public static final String CIFAR100 = "cifar100";
    public static final String IMAGEFOLDER = "imagefolder";
    public static final String SYNTHETIC = SyntheticDataset.NAME;
    public static final String FOOD101 = "food101";
    public static final String IMAGENET100 = "imagenet100";
    public static final String FASHION_CLUTTER = ClutteredFashion.NAME;
    public static final List<String> NAMES = List.of(
            MNIST, FASHION_MNIST, CIFAR10, CIFAR100, IMAGEFOLDER, SYNTHETIC, FOOD101, IMAGENET100, FASHION_CLUTTER);
    /** Where Food-101 is looked for under each data root: the folder its official archive unpacks to. */
    public static final String FOOD101_DIRECTORY = "food-101";
    /** Where ImageNet-100 is looked for: a train/ + val/ ImageFolder holding (at least) the 100 classes. */
    public static final List<String> IMAGENET100_DIRECTORIES = List.of("imagenet100", "imagenet");
    /**
     * The 100 WordNet ids of ImageNet-100 as LUCIR/PODNet use it (PODNet's imagenet_split/train_100.txt),
     * sorted; the seed-1993 class order then gives their phases.
     */
    public static final List<String> IMAGENET100_CLASSES = readClassList("/datasets/imagenet100-classes.txt");

    /** Loaded splits are large; keep only the last few, and let the GC take them under memory pressure. */
    private static final int CACHED_SPLITS = 3;

    private static final int DECODE_THREADS = 4;

    private final DataRoots roots;
    private final DatasetDownloader downloader;
    private final Map<DatasetSpec, SoftReference<DatasetSplits>> cache = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<DatasetSpec, SoftReference<DatasetSplits>> eldest) {
            return size() > CACHED_SPLITS;
        }
    };

    /** A catalog that only reads what is present. */
    public DatasetCatalog(DataRoots roots) {
        this(roots, null);
    }

    /** @param downloader fetches missing known data sets into the first writable root; {@code null} disables downloads */
    public DatasetCatalog(DataRoots roots, DatasetDownloader downloader) {
        this.roots = roots;
        this.downloader = downloader;
    }

    public DataRoots roots() {
        return roots;
    }

    public boolean downloadsEnabled() {
        return downloader != null;
    }

    /** The data sets this catalog can name, with whether their files are present. */
    public List<DatasetInfo> list() {
        List<DatasetInfo> infos = new ArrayList<>();
        for (String name : NAMES) {
            infos.add(
                    switch (name) {
                        case MNIST, FASHION_MNIST ->
                            idxInfo(name, idxDirectory(name).isPresent());
                        case CIFAR10, CIFAR100 ->
                            cifarInfo(
                                    variant(name),
                                    cifarDirectory(variant(name)).isPresent(),
                                    variant(name).knownClasses);
                        case IMAGEFOLDER ->
                            new DatasetInfo(
                                    IMAGEFOLDER,
                                    "Images in <path>/train/<class>/ and <path>/val/<class>/ "
                                            + "under a data root (set dataset.path)",
                                    ImageFolderReader.DEFAULT_IMAGE_SIZE,
                                    ImageFolderReader.DEFAULT_IMAGE_SIZE,
                                    3,
                                    List.of(),
                                    !roots.roots().isEmpty());
                        case FOOD101 ->
                            new DatasetInfo(
                                    FOOD101,
                                    description(FOOD101),
                                    BatchTransform.HIGH_RES_STORED_SIZE,
                                    BatchTransform.HIGH_RES_STORED_SIZE,
                                    3,
                                    List.of(),
                                    readable(this::food101Directory));
                        case IMAGENET100 ->
                            new DatasetInfo(
                                    IMAGENET100,
                                    description(IMAGENET100),
                                    BatchTransform.HIGH_RES_STORED_SIZE,
                                    BatchTransform.HIGH_RES_STORED_SIZE,
                                    3,
                                    IMAGENET100_CLASSES,
                                    readable(this::imagenet100Directory));
                        case FASHION_CLUTTER ->
                            clutterInfo(idxDirectory(FASHION_MNIST).isPresent());
                        default ->
                            SyntheticDataset.fromSpec(DatasetSpec.named(SYNTHETIC))
                                    .info();
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
            case CIFAR10, CIFAR100 -> {
                CifarReader.Variant variant = variant(name);
                Optional<Path> dir = cifarDirectory(variant);
                Optional<Path> metadataDir = dir.isPresent() ? dir : roots.datasetDirectory(variant.directoryName());
                List<String> classes = metadataDir
                        .map(d -> CifarReader.readClassNames(d, variant))
                        .orElse(variant.knownClasses);
                yield cifarInfo(variant, dir.isPresent(), classes);
            }
            case IMAGEFOLDER -> {
                Path dir = imageFolder(spec);
                int size = imageSize(spec);
                int stored = BatchTransform.storedSide(size);
                yield new DatasetInfo(
                        IMAGEFOLDER,
                        "Image folder " + spec.path() + " stored at " + stored + "x" + stored
                                + (stored == size ? "" : ", cropped to " + size + "x" + size),
                        stored,
                        stored,
                        3,
                        ImageFolderReader.classNames(dir),
                        true);
            }
            case FOOD101 -> {
                Optional<Path> dir = food101Directory();
                yield new DatasetInfo(
                        FOOD101,
                        description(FOOD101),
                        BatchTransform.HIGH_RES_STORED_SIZE,
                        BatchTransform.HIGH_RES_STORED_SIZE,
                        3,
                        dir.map(Food101Reader::classNames).orElse(List.of()),
                        dir.isPresent());
            }
            case IMAGENET100 ->
                new DatasetInfo(
                        IMAGENET100,
                        description(IMAGENET100),
                        BatchTransform.HIGH_RES_STORED_SIZE,
                        BatchTransform.HIGH_RES_STORED_SIZE,
                        3,
                        IMAGENET100_CLASSES,
                        imagenet100Directory().isPresent());
            case FASHION_CLUTTER -> {
                ClutteredFashion.fromSpec(spec);
                yield clutterInfo(idxDirectory(FASHION_MNIST).isPresent());
            }
            default -> SyntheticDataset.fromSpec(spec).info();
        };
    }

    /** Images in both splits together, without decoding any: counted from the files for an image folder. */
    public long imageCount(DatasetSpec spec) {
        String name = checkedName(spec);
        return switch (name) {
            case MNIST, FASHION_MNIST -> 70_000;
            case CIFAR10, CIFAR100 -> 60_000;
            case IMAGEFOLDER -> ImageFolderReader.imageCount(imageFolder(spec));
            case FOOD101 -> food101Directory().map(Food101Reader::imageCount).orElse(101_000L);
            case IMAGENET100 -> 135_000;
            case FASHION_CLUTTER -> ClutteredFashion.fromSpec(spec).imageCount(IdxReader.FASHION_MNIST_CLASSES.size());
            default -> SyntheticDataset.fromSpec(spec).imageCount();
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
                    Path dir = idxDirectory(name).orElseGet(() -> downloadOrFail(name));
                    yield new DatasetSplits(
                            IdxReader.readSplit(dir, true, name, idxClasses(name)),
                            IdxReader.readSplit(dir, false, name, idxClasses(name)));
                }
                case CIFAR10, CIFAR100 -> {
                    CifarReader.Variant variant = variant(name);
                    Path dir = cifarDirectory(variant).orElseGet(() -> downloadOrFail(name));
                    yield new DatasetSplits(
                            CifarReader.readSplit(dir, variant, true), CifarReader.readSplit(dir, variant, false));
                }
                case IMAGEFOLDER ->
                    ImageFolderReader.read(
                            imageFolder(spec), IMAGEFOLDER, BatchTransform.storedSide(imageSize(spec)), DECODE_THREADS);
                case FOOD101 ->
                    Food101Reader.read(
                            food101Directory().orElseThrow(() -> new DataPathException(missingMessage(name))),
                            FOOD101,
                            BatchTransform.HIGH_RES_STORED_SIZE,
                            DECODE_THREADS);
                case IMAGENET100 ->
                    ImageFolderReader.read(
                            imagenet100Directory().orElseThrow(() -> new DataPathException(missingMessage(name))),
                            IMAGENET100,
                            BatchTransform.HIGH_RES_STORED_SIZE,
                            DECODE_THREADS,
                            IMAGENET100_CLASSES);
                case FASHION_CLUTTER ->
                    ClutteredFashion.fromSpec(spec).generate(load(DatasetSpec.named(FASHION_MNIST)));
                default -> SyntheticDataset.fromSpec(spec).generate();
            };
            cache.put(key, new SoftReference<>(loaded));
            return loaded;
        }
    }

    private Path downloadOrFail(String name) {
        if (downloader == null) {
            throw new DataPathException(missingMessage(name) + " (downloads are disabled)");
        }
        Path root = roots.firstWritableRoot()
                .orElseThrow(() -> new DataPathException("data set " + name + " is missing and none of the data roots "
                        + roots.labels() + " is writable for a download"));
        Path dir = downloader.download(name, root);
        boolean complete = switch (name) {
            case MNIST, FASHION_MNIST -> IdxReader.isPresent(dir);
            default -> CifarReader.isPresent(dir, variant(name));
        };
        if (!complete) {
            throw new DataPathException(
                    roots.redact("the download of " + name + " into " + dir + " did not produce the expected files"));
        }
        return dir;
    }

    /** What a client is told when a data set with official files is not on this server: what is looked for, and where. */
    public String missingMessage(String name) {
        if (name.equals(FOOD101)) {
            return "data set food101 is not on this server: expected the unpacked archive (images/<class>/*.jpg, "
                    + "meta/train.txt, meta/test.txt) in a folder '" + FOOD101_DIRECTORY
                    + "' under one of the data roots " + roots.labels();
        }
        if (name.equals(IMAGENET100)) {
            return "data set imagenet100 is not on this server: expected train/<wnid>/ and val/<wnid>/ with its 100 classes "
                    + "in a folder " + IMAGENET100_DIRECTORIES + " under one of the data roots " + roots.labels();
        }
        String files = switch (name) {
            case MNIST, FASHION_MNIST ->
                "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
                        + "t10k-labels-idx1-ubyte (each optionally .gz)";
            case CIFAR10 ->
                "the official python (data_batch_1..5, test_batch) or binary (data_batch_1..5.bin, test_batch.bin) files";
            default -> "the official python (train, test) or binary (train.bin, test.bin) files";
        };
        return "data set " + name + " is not on this server: expected " + files + " in a folder '"
                + DatasetDownloader.DIRECTORIES.get(name) + "' under one of the data roots " + roots.labels();
    }

    private Optional<Path> idxDirectory(String name) {
        return roots.roots().stream()
                .map(root -> root.resolve(name))
                .filter(IdxReader::isPresent)
                .findFirst();
    }

    /** Whether a data set folder is there and may be read; a listing shows a refused link as absent. */
    private static boolean readable(java.util.function.Supplier<Optional<Path>> directory) {
        try {
            return directory.get().isPresent();
        } catch (DataPathException e) {
            return false;
        }
    }

    private Optional<Path> food101Directory() {
        return insideRoots(List.of(FOOD101_DIRECTORY), Food101Reader::isPresent);
    }

    private Optional<Path> imagenet100Directory() {
        return insideRoots(IMAGENET100_DIRECTORIES, dir -> java.nio.file.Files.isDirectory(dir.resolve("train")));
    }

    /**
     * The real path of the first {@code <root>/<name>} that is {@code present}, over the roots in
     * order; refused when that folder is a link leading outside its root.
     */
    private Optional<Path> insideRoots(List<String> names, java.util.function.Predicate<Path> present) {
        for (Path root : roots.roots()) {
            for (String name : names) {
                Path candidate = root.resolve(name);
                if (!present.test(candidate)) {
                    continue;
                }
                try {
                    Path real = candidate.toRealPath();
                    if (!real.startsWith(root.toRealPath())) {
                        throw new DataPathException(
                                "data set folder '" + name + "' leads outside the data roots through a "
                                        + "symbolic link; only files inside " + roots.labels() + " may be read");
                    }
                    return Optional.of(real);
                } catch (java.io.IOException e) {
                    throw new DataPathException(
                            roots.redact("data set folder '" + name + "' cannot be read: " + e.getMessage()));
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> readClassList(String resource) {
        try (var in = DatasetCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("class list " + resource + " is not on the class path");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .sorted()
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Optional<Path> cifarDirectory(CifarReader.Variant variant) {
        return roots.roots().stream()
                .map(root -> root.resolve(variant.directoryName()))
                .filter(dir -> CifarReader.isPresent(dir, variant))
                .findFirst();
    }

    private Path imageFolder(DatasetSpec spec) {
        if (spec.path() == null || spec.path().isBlank()) {
            throw new SpecException("dataset.path", "is required for imagefolder: a folder relative to a data root");
        }
        try {
            return roots.resolve(spec.path());
        } catch (DataPathException e) {
            throw new SpecException("dataset.path", e.getMessage());
        }
    }

    private static int imageSize(DatasetSpec spec) {
        int size = spec.imageSize() == null ? ImageFolderReader.DEFAULT_IMAGE_SIZE : spec.imageSize();
        if (size < 8 || size > 512) {
            throw new SpecException("dataset.imageSize", "must be between 8 and 512, was " + size);
        }
        return size;
    }

    private static CifarReader.Variant variant(String name) {
        return name.equals(CIFAR10) ? CifarReader.Variant.CIFAR10 : CifarReader.Variant.CIFAR100;
    }

    private static DatasetInfo idxInfo(String name, boolean available) {
        return new DatasetInfo(name, description(name), 28, 28, 1, idxClasses(name), available);
    }

    /** The stand-in's shape: it is rendered from Fashion-MNIST, so it is available where that is. */
    private static DatasetInfo clutterInfo(boolean available) {
        return new DatasetInfo(
                FASHION_CLUTTER,
                ClutteredFashion.description(),
                ClutteredFashion.STORED_SIDE,
                ClutteredFashion.STORED_SIDE,
                1,
                IdxReader.FASHION_MNIST_CLASSES,
                available);
    }

    private static DatasetInfo cifarInfo(CifarReader.Variant variant, boolean available, List<String> classes) {
        return new DatasetInfo(
                variant.datasetName(),
                description(variant.datasetName()),
                CifarReader.SIDE,
                CifarReader.SIDE,
                3,
                classes,
                available);
    }

    private static List<String> idxClasses(String name) {
        return name.equals(MNIST) ? IdxReader.MNIST_CLASSES : IdxReader.FASHION_MNIST_CLASSES;
    }

    private static String description(String name) {
        return switch (name) {
            case MNIST -> "MNIST handwritten digits, 28x28 grey, 60000 train / 10000 test";
            case FASHION_MNIST -> "Fashion-MNIST Zalando articles, 28x28 grey, 60000 train / 10000 test";
            case CIFAR10 -> "CIFAR-10, 32x32 RGB, 10 classes, 50000 train / 10000 test";
            case CIFAR100 -> "CIFAR-100, 32x32 RGB, 100 fine classes, 50000 train / 10000 test";
            case FOOD101 ->
                "Food-101, 101 dishes, 750 train / 250 test images per class (meta/ split), stored at 256x256, "
                        + "cropped to 224x224";
            case IMAGENET100 ->
                "ImageNet-100 (LUCIR's 100-class subset of ILSVRC-2012), stored at 256x256, cropped to 224x224";
            default -> name;
        };
    }

    private static DatasetSpec cacheKey(String name, DatasetSpec spec) {
        return switch (name) {
            case SYNTHETIC ->
                new DatasetSpec(
                        name,
                        null,
                        null,
                        spec.syntheticClasses(),
                        spec.syntheticTrainPerClass(),
                        spec.syntheticTestPerClass(),
                        spec.syntheticImageSize(),
                        spec.syntheticChannels());
            case FASHION_CLUTTER ->
                new DatasetSpec(
                        name,
                        null,
                        null,
                        null,
                        spec.syntheticTrainPerClass(),
                        spec.syntheticTestPerClass(),
                        null,
                        null);
            case IMAGEFOLDER -> new DatasetSpec(name, spec.path(), spec.imageSize(), null, null, null, null, null);
            default -> DatasetSpec.named(name);
        };
    }

    private static String checkedName(DatasetSpec spec) {
        if (spec == null || spec.name() == null || spec.name().isBlank()) {
            throw new SpecException("dataset.name", "is required; allowed: " + String.join(", ", NAMES));
        }
        String name = spec.name().trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(name)) {
            throw new SpecException(
                    "dataset.name", "unknown data set '" + spec.name() + "'; allowed: " + String.join(", ", NAMES));
        }
        return name;
    }
}
