package org.mnemos.experiment;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mnemos.config.RunMemoryCheck;
import org.mnemos.engine.Datasets;
import org.mnemos.engine.PartCatalog;
import org.mnemos.engine.SpecChecks;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.ResourcesSpec;
import org.mnemos.web.FieldProblem;
import org.mnemos.worker.WorkerProperties;
import org.springframework.stereotype.Component;

/**
 * Checks a submitted spec before anything is stored. The service's own checks are here: the run's
 * name and seed, the data set and its paths, the memory's size under the operator's limits, the
 * pool and the priority, and whether the run fits a worker's memory. The spec's shared sections (protocol, model,
 * training) are checked by the engine's {@link SpecChecks}, the parts' options by the parts
 * ({@link PartCatalog#check}, the check the engine runs too). Every problem names the JSON path of
 * the value and what is allowed; all problems are reported at once.
 */
@Component
public class SpecValidator {

    static final Map<String, Integer> FIXED_DATASET_CLASSES = Map.of(
            "mnist",
            10,
            "fashion-mnist",
            10,
            "cifar10",
            10,
            "cifar100",
            100,
            "food101",
            101,
            "imagenet100",
            100,
            "fashion-clutter",
            10);
    // the names the engine itself accepts, so the two cannot disagree
    static final Set<String> DATASETS = Set.copyOf(Datasets.NAMES);
    /** A byte budget above this (1 TiB) is a mistake, not a memory. */
    static final long MAX_MEMORY_BYTES = 1L << 40;

    static final int MAX_IMAGE_SIZE = 512;
    static final int MAX_NAME_LENGTH = 200;

    private final LimitsProperties limits;
    private final RunMemoryCheck memory;

    public SpecValidator(LimitsProperties limits, RunMemoryCheck memory) {
        this.limits = limits;
        this.memory = memory;
    }

    public List<FieldProblem> validate(ExperimentSpec spec) {
        SpecProblems problems = new SpecProblems(new SpecProblems.Limits(
                limits.maxClasses(), limits.maxEpochs(), limits.maxIterations(), limits.maxBatchSize()));
        if (spec.name() != null && (spec.name().isBlank() || spec.name().length() > MAX_NAME_LENGTH)) {
            problems.add("name", "must be 1 to " + MAX_NAME_LENGTH + " characters");
        } else if (spec.name() != null && spec.name().codePoints().anyMatch(Character::isISOControl)) {
            problems.add("name", "must not contain control characters (line breaks, tabs, NUL)");
        }
        if (spec.seed() != null && spec.seed() < 0) {
            problems.add("seed", "must be >= 0");
        }
        Integer numClasses = dataset(spec.dataset(), problems);
        SpecChecks.protocol(spec.protocol(), numClasses, problems);
        SpecChecks.model(spec.model(), problems);
        PartCatalog.MethodEntry method = null;
        if (spec.method() == null) {
            problems.add("method", "is required");
        } else {
            method = spec.method().name() == null
                    ? null
                    : PartCatalog.method(spec.method().name()).orElse(null);
            if (spec.method().name() == null) {
                problems.add(
                        "method.name",
                        "must be one of "
                                + PartCatalog.methods().stream()
                                        .map(PartCatalog.MethodEntry::name)
                                        .toList());
            }
        }
        // the parts' own checks: the engine runs the same before it plans a run
        PartCatalog.check(spec, problems);
        memory(spec.memory(), method, SpecChecks.classesInRun(spec.protocol(), numClasses), problems);
        SpecChecks.training(spec.training(), problems);
        resources(spec.resources(), problems);
        List<FieldProblem> found = problems.list().stream()
                .map(problem -> new FieldProblem(problem.field(), problem.message()))
                .toList();
        return found.isEmpty() ? memory.check(spec).stream().toList() : found;
    }

    /** The pool's syntax (whether a pool of that name is known is the memory check's question) and the priority's range. */
    private static void resources(ResourcesSpec resources, SpecProblems problems) {
        if (resources == null) {
            return;
        }
        if (resources.pool() != null && !WorkerProperties.isPoolName(resources.pool())) {
            problems.add(
                    "resources.pool",
                    "must be a pool name: " + WorkerProperties.POOL_NAME_RULE
                            + "; leave resources.pool out for any pool");
        }
        problems.range(
                "resources.priority", resources.priority(), ResourcesSpec.MIN_PRIORITY, ResourcesSpec.MAX_PRIORITY);
    }

    private Integer dataset(DatasetSpec dataset, SpecProblems problems) {
        if (dataset == null) {
            problems.add("dataset", "is required");
            return null;
        }
        if (dataset.name() == null) {
            problems.add("dataset.name", "is required; one of " + sorted(DATASETS));
            return null;
        }
        if (!DATASETS.contains(dataset.name())) {
            problems.add("dataset.name", "unknown data set '" + dataset.name() + "'; one of " + sorted(DATASETS));
            return null;
        }
        boolean imageFolder = dataset.name().equals("imagefolder");
        boolean synthetic = dataset.name().equals("synthetic");
        if (imageFolder) {
            if (dataset.path() == null || dataset.path().isBlank()) {
                problems.add("dataset.path", "is required for imagefolder: a directory relative to a data root");
            } else {
                relativePath(dataset.path(), problems);
            }
            problems.range("dataset.imageSize", dataset.imageSize(), 8, MAX_IMAGE_SIZE);
        } else {
            problems.forbid("dataset.path", dataset.path(), "applies only to imagefolder");
            problems.forbid("dataset.imageSize", dataset.imageSize(), "applies only to imagefolder");
        }
        String[] syntheticFields = {
            "syntheticClasses",
            "syntheticTrainPerClass",
            "syntheticTestPerClass",
            "syntheticImageSize",
            "syntheticChannels"
        };
        Integer[] syntheticValues = {
            dataset.syntheticClasses(),
            dataset.syntheticTrainPerClass(),
            dataset.syntheticTestPerClass(),
            dataset.syntheticImageSize(),
            dataset.syntheticChannels()
        };
        if (synthetic) {
            problems.range("dataset.syntheticClasses", dataset.syntheticClasses(), 2, limits.maxClasses());
            problems.range("dataset.syntheticTrainPerClass", dataset.syntheticTrainPerClass(), 1, 10_000);
            problems.range("dataset.syntheticTestPerClass", dataset.syntheticTestPerClass(), 1, 10_000);
            problems.range("dataset.syntheticImageSize", dataset.syntheticImageSize(), 4, 64);
            if (dataset.syntheticChannels() != null
                    && dataset.syntheticChannels() != 1
                    && dataset.syntheticChannels() != 3) {
                problems.add("dataset.syntheticChannels", "must be 1 or 3");
            }
            return dataset.syntheticClasses();
        }
        boolean clutter = dataset.name().equals("fashion-clutter");
        if (clutter) {
            problems.range("dataset.syntheticTrainPerClass", dataset.syntheticTrainPerClass(), 1, 6000);
            problems.range("dataset.syntheticTestPerClass", dataset.syntheticTestPerClass(), 1, 1000);
        }
        for (int i = 0; i < syntheticFields.length; i++) {
            if (!(clutter && (i == 1 || i == 2))) {
                problems.forbid("dataset." + syntheticFields[i], syntheticValues[i], "applies only to synthetic");
            }
        }
        return FIXED_DATASET_CLASSES.get(dataset.name());
    }

    private static void relativePath(String path, SpecProblems problems) {
        Path parsed;
        try {
            parsed = Path.of(path);
        } catch (RuntimeException e) {
            problems.add("dataset.path", "is not a valid path");
            return;
        }
        if (parsed.isAbsolute() || path.startsWith("/") || path.startsWith("\\")) {
            problems.add("dataset.path", "must be relative to a data root, not absolute");
            return;
        }
        Path normalized = parsed.normalize();
        if (normalized.startsWith("..") || normalized.toString().isEmpty()) {
            problems.add("dataset.path", "must stay inside the data roots");
        }
    }

    /** The memory's size, for a method that keeps exemplars; its selector and compression are parts, checked by their own. */
    private void memory(MemorySpec memory, PartCatalog.MethodEntry method, Integer classes, SpecProblems problems) {
        if (method == null || memory == null) {
            return;
        }
        if (!method.keepsExemplars() && !method.optionalMemory()) {
            boolean reported =
                    problems.list().stream().anyMatch(problem -> problem.field().equals("memory"));
            if (!reported && (memory.perClass() != null || memory.total() != null || memory.bytes() != null)) {
                problems.add("memory", method.name() + " keeps no exemplars; leave memory out");
            }
            return;
        }
        if ((memory.perClass() != null ? 1 : 0) + (memory.total() != null ? 1 : 0) + (memory.bytes() != null ? 1 : 0)
                > 1) {
            problems.add("memory", "give one of perClass, total and bytes");
            return;
        }
        if (memory.bytes() != null && (memory.bytes() < 1 || memory.bytes() > MAX_MEMORY_BYTES)) {
            problems.add("memory.bytes", "must be between 1 and " + MAX_MEMORY_BYTES);
        }
        if (memory.perClass() != null
                && problems.range("memory.perClass", memory.perClass(), 1, limits.maxMemoryImages())
                && classes != null
                && (long) memory.perClass() * classes > limits.maxMemoryImages()) {
            problems.add(
                    "memory.perClass",
                    "would keep " + (long) memory.perClass() * classes + " images; at most " + limits.maxMemoryImages()
                            + " allowed");
        }
        if (memory.total() != null) {
            problems.range("memory.total", memory.total(), 1, limits.maxMemoryImages());
        }
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
