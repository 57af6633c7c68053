package org.mnemos.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mnemos.catalog.MethodCatalog;
import org.mnemos.config.RunMemoryCheck;
import org.mnemos.engine.PartCatalog;
import org.mnemos.engine.SpecDefaults;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.memory.ExemplarSelector;
import org.mnemos.engine.memory.ExemplarStorage;
import org.mnemos.engine.model.Backbones;
import org.mnemos.engine.model.BranchType;
import org.mnemos.engine.optim.LrSchedules;
import org.mnemos.engine.optim.Optimizers;
import org.mnemos.engine.protocol.ClassOrders;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.BaseTrainingSpec;
import org.mnemos.engine.spec.CamCompressionSpec;
import org.mnemos.engine.spec.CimCompressionSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FinetuneSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.InversionSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ResourcesSpec;
import org.mnemos.engine.spec.MnemonicsSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.NoCompressionSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;
import org.mnemos.web.FieldProblem;
import org.mnemos.worker.WorkerProperties;
import org.springframework.stereotype.Component;

/**
 * Checks a resolved spec before anything is stored: allowed names, positive and bounded sizes,
 * mutually exclusive fields, and phases consistent with the data set's classes. Every problem names
 * the JSON path of the value and what is allowed; all problems are reported at once.
 */
@Component
public class SpecValidator {

    static final Map<String, Integer> FIXED_DATASET_CLASSES =
            Map.of("mnist", 10, "fashion-mnist", 10, "cifar10", 10, "cifar100", 100, "food101", 101, "imagenet100", 100,
                    "fashion-clutter", 10);
    // the names the engine itself accepts, so the two cannot disagree
    static final Set<String> DATASETS = Set.copyOf(DatasetCatalog.NAMES);
    static final Set<String> BACKBONES = Set.copyOf(Backbones.NAMES);
    /** The heads a spec may name; a method that forces one (LUCIR, PODNet) overrides the choice. */
    static final Set<String> HEADS = Set.of("linear", "cosine", "lsc");
    static final Set<String> SELECTORS = Set.copyOf(ExemplarSelector.NAMES);
    static final Set<String> STORAGES = Set.copyOf(ExemplarStorage.NAMES);
    /** A byte budget above this (1 TiB) is a mistake, not a memory. */
    static final long MAX_MEMORY_BYTES = 1L << 40;
    /** Downsampling by more than √256 = 16 per side leaves nothing of the image. */
    static final double MAX_COMPRESSION_RATIO = 256;
    static final double MAX_META_ITERS_PER_CLASS = 100;
    static final int MAX_META_BATCH = 1024;
    static final int MAX_META_ITERS_PER_PHASE = 100_000;

    /** Unrolled inner steps are held in memory for the backward pass; more than this is a mistake. */
    static final int MAX_INNER_STEPS = 100;
    static final Set<String> OPTIMIZERS = Set.copyOf(Optimizers.NAMES);
    static final Set<String> SCHEDULES = Set.copyOf(LrSchedules.NAMES);
    static final Set<String> CLASS_ORDERS = Set.copyOf(ClassOrders.NAMES);
    /** The published seed-1993 order is a permutation of 100 classes. */
    static final int SEED1993_CLASSES = 100;
    static final int MAX_IMAGE_SIZE = 512;
    static final int MAX_HIDDEN_UNITS = 65536;
    static final int MAX_NAME_LENGTH = 200;
    /** The authors' CIFAR schedule is 10,000 generator steps per phase; ten times that is a mistake. */
    static final int MAX_INVERSION_ITERATIONS = 100_000;
    static final int MAX_LATENT_DIM = 16_384;

    private final MethodCatalog methods;
    private final LimitsProperties limits;
    private final RunMemoryCheck memory;

    public SpecValidator(MethodCatalog methods, LimitsProperties limits, RunMemoryCheck memory) {
        this.methods = methods;
        this.limits = limits;
        this.memory = memory;
    }

    public List<FieldProblem> validate(ExperimentSpec spec) {
        Errors errors = new Errors();
        if (spec.name() != null && (spec.name().isBlank() || spec.name().length() > MAX_NAME_LENGTH)) {
            errors.add("name", "must be 1 to " + MAX_NAME_LENGTH + " characters");
        } else if (spec.name() != null && spec.name().codePoints().anyMatch(Character::isISOControl)) {
            errors.add("name", "must not contain control characters (line breaks, tabs, NUL)");
        }
        if (spec.seed() != null && spec.seed() < 0) {
            errors.add("seed", "must be >= 0");
        }
        Integer numClasses = dataset(spec.dataset(), errors);
        protocol(spec.protocol(), numClasses, errors);
        model(spec.model(), errors);
        MethodCatalog.MethodInfo method = method(spec.method(), errors);
        aggregation(spec.model(), method, errors);
        scaledKernels(spec.model(), method, errors);
        memory(spec.memory(), method, classesInRun(spec.protocol(), numClasses), errors);
        compression(spec, errors);
        training(spec.training(), errors);
        resources(spec.resources(), errors);
        if (errors.list.isEmpty()) {
            memory.check(spec).ifPresent(errors.list::add);
        }
        return errors.list;
    }

    /** The pool's syntax; whether a pool of that name is known is the memory check's question. */
    private static void resources(ResourcesSpec resources, Errors errors) {
        if (resources != null && resources.pool() != null && !WorkerProperties.isPoolName(resources.pool())) {
            errors.add("resources.pool", "must be a pool name: " + WorkerProperties.POOL_NAME_RULE
                    + "; leave resources.pool out for any pool");
        }
    }

    private Integer dataset(DatasetSpec dataset, Errors errors) {
        if (dataset == null) {
            errors.add("dataset", "is required");
            return null;
        }
        if (dataset.name() == null) {
            errors.add("dataset.name", "is required; one of " + sorted(DATASETS));
            return null;
        }
        if (!DATASETS.contains(dataset.name())) {
            errors.add("dataset.name", "unknown data set '" + dataset.name() + "'; one of " + sorted(DATASETS));
            return null;
        }
        boolean imageFolder = dataset.name().equals("imagefolder");
        boolean synthetic = dataset.name().equals("synthetic");
        if (imageFolder) {
            if (dataset.path() == null || dataset.path().isBlank()) {
                errors.add("dataset.path", "is required for imagefolder: a directory relative to a data root");
            } else {
                relativePath(dataset.path(), errors);
            }
            range(errors, "dataset.imageSize", dataset.imageSize(), 8, MAX_IMAGE_SIZE);
        } else {
            forbid(errors, "dataset.path", dataset.path(), "applies only to imagefolder");
            forbid(errors, "dataset.imageSize", dataset.imageSize(), "applies only to imagefolder");
        }
        String[] syntheticFields = {"syntheticClasses", "syntheticTrainPerClass", "syntheticTestPerClass", "syntheticImageSize", "syntheticChannels"};
        Integer[] syntheticValues = {dataset.syntheticClasses(), dataset.syntheticTrainPerClass(), dataset.syntheticTestPerClass(),
                dataset.syntheticImageSize(), dataset.syntheticChannels()};
        if (synthetic) {
            range(errors, "dataset.syntheticClasses", dataset.syntheticClasses(), 2, limits.maxClasses());
            range(errors, "dataset.syntheticTrainPerClass", dataset.syntheticTrainPerClass(), 1, 10_000);
            range(errors, "dataset.syntheticTestPerClass", dataset.syntheticTestPerClass(), 1, 10_000);
            range(errors, "dataset.syntheticImageSize", dataset.syntheticImageSize(), 4, 64);
            if (dataset.syntheticChannels() != null && dataset.syntheticChannels() != 1 && dataset.syntheticChannels() != 3) {
                errors.add("dataset.syntheticChannels", "must be 1 or 3");
            }
            return dataset.syntheticClasses();
        }
        boolean clutter = dataset.name().equals("fashion-clutter");
        if (clutter) {
            range(errors, "dataset.syntheticTrainPerClass", dataset.syntheticTrainPerClass(), 1, 6000);
            range(errors, "dataset.syntheticTestPerClass", dataset.syntheticTestPerClass(), 1, 1000);
        }
        for (int i = 0; i < syntheticFields.length; i++) {
            if (!(clutter && (i == 1 || i == 2))) {
                forbid(errors, "dataset." + syntheticFields[i], syntheticValues[i], "applies only to synthetic");
            }
        }
        return FIXED_DATASET_CLASSES.get(dataset.name());
    }

    private static void relativePath(String path, Errors errors) {
        Path parsed;
        try {
            parsed = Path.of(path);
        } catch (RuntimeException e) {
            errors.add("dataset.path", "is not a valid path");
            return;
        }
        if (parsed.isAbsolute() || path.startsWith("/") || path.startsWith("\\")) {
            errors.add("dataset.path", "must be relative to a data root, not absolute");
            return;
        }
        Path normalized = parsed.normalize();
        if (normalized.startsWith("..") || normalized.toString().isEmpty()) {
            errors.add("dataset.path", "must stay inside the data roots");
        }
    }

    private void protocol(ProtocolSpec protocol, Integer datasetClasses, Errors errors) {
        if (protocol == null) {
            errors.add("protocol", "is required");
            return;
        }
        Integer numClasses = datasetClasses;
        if (protocol.numClasses() != null) {
            int max = datasetClasses == null ? limits.maxClasses() : datasetClasses;
            if (range(errors, "protocol.numClasses", protocol.numClasses(), 1, max)) {
                numClasses = protocol.numClasses();
            }
        }
        String order = protocol.classOrder() == null ? "natural" : protocol.classOrder();
        if (!CLASS_ORDERS.contains(order)) {
            errors.add("protocol.classOrder", "unknown class order '" + order + "'; one of " + sorted(CLASS_ORDERS));
        }
        if (order.equals("seed1993") && datasetClasses != null && datasetClasses != SEED1993_CLASSES) {
            errors.add("protocol.classOrder", "seed1993 is an order of 100 classes; this data set has " + datasetClasses);
        }
        if (order.equals("explicit")) {
            labelList(errors, "protocol.classList", protocol.classList(), datasetClasses, true);
        } else if (protocol.classList() != null) {
            errors.add("protocol.classList", "applies only to classOrder explicit");
        }
        if (protocol.classOrderSeed() != null && !order.equals("seeded")) {
            errors.add("protocol.classOrderSeed", "applies only to classOrder seeded");
        }
        if (protocol.phases() != null) {
            if (protocol.initialClasses() != null || protocol.increment() != null) {
                errors.add("protocol.phases", "give either phases or initialClasses with increment, not both");
                return;
            }
            explicitPhases(protocol.phases(), datasetClasses, errors);
            return;
        }
        if (protocol.initialClasses() == null || protocol.increment() == null) {
            errors.add(protocol.initialClasses() == null ? "protocol.initialClasses" : "protocol.increment",
                    "is required unless explicit phases are given");
            return;
        }
        int max = numClasses == null ? limits.maxClasses() : numClasses;
        boolean initialOk = range(errors, "protocol.initialClasses", protocol.initialClasses(), 1, max);
        boolean incrementOk = range(errors, "protocol.increment", protocol.increment(), 1, max);
        if (order.equals("explicit") && protocol.classList() != null && numClasses != null
                && protocol.classList().size() < numClasses) {
            numClasses = protocol.classList().size();
        }
        if (!initialOk || !incrementOk || numClasses == null) {
            return;
        }
        int remaining = numClasses - protocol.initialClasses();
        if (remaining < 0) {
            errors.add("protocol.initialClasses", "must be at most the " + numClasses + " classes of the run");
            return;
        }
        if (remaining % protocol.increment() != 0) {
            errors.add("protocol.increment", "must divide the " + remaining + " classes after the first phase evenly");
        }
    }

    private void explicitPhases(List<List<Integer>> phases, Integer datasetClasses, Errors errors) {
        if (phases.isEmpty()) {
            errors.add("protocol.phases", "must hold at least one phase");
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < phases.size(); i++) {
            String field = "protocol.phases[" + i + "]";
            List<Integer> phase = phases.get(i);
            if (labelList(errors, field, phase, datasetClasses, false)) {
                for (Integer label : phase) {
                    if (!seen.add(label)) {
                        errors.add(field, "label " + label + " already appears in an earlier phase");
                    }
                }
            }
        }
    }

    /** A non-empty list of distinct labels in [0, classes); returns whether it is well formed. */
    private boolean labelList(Errors errors, String field, List<Integer> labels, Integer classes, boolean complete) {
        if (labels == null || labels.isEmpty()) {
            errors.add(field, "must be a non-empty list of class labels");
            return false;
        }
        int upper = classes == null ? limits.maxClasses() : classes;
        Set<Integer> distinct = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            Integer label = labels.get(i);
            if (label == null || label < 0 || label >= upper) {
                errors.add(field + "[" + i + "]", "must be a class label between 0 and " + (upper - 1));
                return false;
            }
            if (!distinct.add(label)) {
                errors.add(field + "[" + i + "]", "duplicate label " + label);
                return false;
            }
        }
        return true;
    }

    private static Integer classesInRun(ProtocolSpec protocol, Integer datasetClasses) {
        if (protocol == null) {
            return datasetClasses;
        }
        if (protocol.phases() != null) {
            return protocol.phases().stream().mapToInt(p -> p == null ? 0 : p.size()).sum();
        }
        return protocol.numClasses() != null ? protocol.numClasses() : datasetClasses;
    }

    private static void model(ModelSpec model, Errors errors) {
        if (model == null) {
            errors.add("model", "is required");
            return;
        }
        if (model.backbone() == null || !BACKBONES.contains(model.backbone())) {
            errors.add("model.backbone", "must be one of " + sorted(BACKBONES));
        }
        if (model.head() != null && !HEADS.contains(model.head())) {
            errors.add("model.head", "must be one of " + sorted(HEADS));
        }
        if (model.hiddenUnits() != null) {
            if (!"mlp".equals(model.backbone())) {
                errors.add("model.hiddenUnits", "applies only to the mlp backbone");
            } else if (model.hiddenUnits().isEmpty()) {
                errors.add("model.hiddenUnits", "must list at least one layer width");
            } else {
                for (int i = 0; i < model.hiddenUnits().size(); i++) {
                    range(errors, "model.hiddenUnits[" + i + "]", model.hiddenUnits().get(i), 1, MAX_HIDDEN_UNITS, true);
                }
            }
        }
        if (model.shortcut() != null) {
            if (!"resnet32".equals(model.backbone()) && !"resnet8".equals(model.backbone())) {
                errors.add("model.shortcut", "applies only to the resnet32 and resnet8 backbones");
            } else if (!ModelSpec.SHORTCUTS.contains(model.shortcut())) {
                errors.add("model.shortcut", "must be one of " + ModelSpec.SHORTCUTS);
            }
        }
    }

    /** Frozen, rescaled kernels from phase 1: a single convolutional network of fixed architecture. */
    private static void scaledKernels(ModelSpec model, MethodCatalog.MethodInfo method, Errors errors) {
        if (model == null || !model.scalesKernels()) {
            return;
        }
        if ("mlp".equals(model.backbone())) {
            errors.add("model.scaledKernels", "freezes and rescales convolution kernels; the mlp backbone has none"
                    + " (use resnet8, resnet32 or resnet18)");
        }
        if (model.aggregation() != null) {
            errors.add("model.scaledKernels", "does not combine with model.aggregation, whose stable branch already scales its kernels");
        }
        if (method != null && method.name().equals("foster")) {
            errors.add("model.scaledKernels", "FOSTER grows its own second feature extractor; it does not combine with scaled kernels");
        }
    }

    /** AANets' options, and a method with exemplars to learn its aggregation weights on. */
    private static void aggregation(ModelSpec model, MethodCatalog.MethodInfo method, Errors errors) {
        if (model == null || !(model.aggregation() instanceof AanetsSpec aanets)) {
            return;
        }
        if (aanets.stableBranch() != null && !BranchType.NAMES.contains(aanets.stableBranch())) {
            errors.add("model.aggregation.stableBranch", "must be one of " + BranchType.NAMES);
        }
        if (aanets.plasticBranch() != null && !BranchType.NAMES.contains(aanets.plasticBranch())) {
            errors.add("model.aggregation.plasticBranch", "must be one of " + BranchType.NAMES);
        }
        if (aanets.fusionLr() != null && !(aanets.fusionLr() >= 0 && aanets.fusionLr() <= 1)) {
            errors.add("model.aggregation.fusionLr", "must lie in [0, 1] (0 keeps every aggregation weight at 0.5), got "
                    + aanets.fusionLr());
        }
        if (model.backbone() != null && !SpecDefaults.AGGREGATED_BACKBONES.contains(model.backbone())) {
            errors.add("model.aggregation", SpecDefaults.AGGREGATION_NEEDS_CONV + model.backbone());
        }
        if (method != null && !method.usesExemplars()) {
            errors.add("model.aggregation", "AANets learns its aggregation weights on exemplars; method '"
                    + method.name() + "' keeps none");
        }
        if (method != null && method.name().equals("foster")) {
            errors.add("model.aggregation", "FOSTER grows its own second feature extractor; it does not combine with AANets");
        }
    }

    private MethodCatalog.MethodInfo method(MethodSpec method, Errors errors) {
        if (method == null) {
            errors.add("method", "is required");
            return null;
        }
        MethodCatalog.MethodInfo info = method.name() == null ? null : methods.find(method.name()).orElse(null);
        if (info == null) {
            errors.add("method.name", "must be one of " + methods.list().stream().map(MethodCatalog.MethodInfo::name).toList());
            return null;
        }
        Map<String, Object> options = new java.util.LinkedHashMap<>();
        options.put("temperature", method.temperature());
        options.put("distillationWeight", method.distillationWeight());
        options.put("lambdaBase", method.lambdaBase());
        options.put("margin", method.margin());
        options.put("hardNegatives", method.hardNegatives());
        options.put("podSpatialWeight", method.podSpatialWeight());
        options.put("podFlatWeight", method.podFlatWeight());
        options.put("proxiesPerClass", method.proxiesPerClass());
        options.put("biasValidationFraction", method.biasValidationFraction());
        options.put("biasEpochs", method.biasEpochs());
        options.put("balancedFinetuneEpochs", method.balancedFinetuneEpochs());
        options.put("foster", method.foster());
        options.put("abd", method.abd());
        options.put("deepinversion", method.deepinversion());
        options.put("finetune", method.finetune());
        options.forEach((option, value) -> {
            if (value != null && !info.options().contains(option)) {
                errors.add("method." + option, "does not apply to " + info.name()
                        + (info.options().isEmpty() ? ", which takes no options" : "; its options: " + info.options()));
            }
        });
        positive(errors, "method.temperature", method.temperature());
        nonNegative(errors, "method.distillationWeight", method.distillationWeight());
        nonNegative(errors, "method.lambdaBase", method.lambdaBase());
        nonNegative(errors, "method.margin", method.margin());
        range(errors, "method.hardNegatives", method.hardNegatives(), 1, 1000);
        nonNegative(errors, "method.podSpatialWeight", method.podSpatialWeight());
        nonNegative(errors, "method.podFlatWeight", method.podFlatWeight());
        range(errors, "method.proxiesPerClass", method.proxiesPerClass(), 1, 100);
        if (method.biasValidationFraction() != null
                && !(method.biasValidationFraction() > 0 && method.biasValidationFraction() < 1)) {
            errors.add("method.biasValidationFraction", "must be strictly between 0 and 1");
        }
        range(errors, "method.biasEpochs", method.biasEpochs(), 0, limits.maxEpochs());
        range(errors, "method.balancedFinetuneEpochs", method.balancedFinetuneEpochs(), 0, limits.maxEpochs());
        foster(method.foster(), errors);
        inversion(errors, "method.abd", method.abd());
        inversion(errors, "method.deepinversion", method.deepinversion());
        if (method.finetune() != null && method.finetune().loss() != null
                && !FinetuneSpec.LOSSES.contains(method.finetune().loss())) {
            errors.add("method.finetune.loss", "must be one of " + FinetuneSpec.LOSSES + ", was '" + method.finetune().loss() + "'");
        }
        return info;
    }

    /** FOSTER's options: β in (0, 1), positive temperature and learning rate, bounded epochs. */
    private void foster(FosterSpec foster, Errors errors) {
        if (foster == null) {
            return;
        }
        for (var beta : List.of(Map.entry("method.foster.beta1", java.util.Optional.ofNullable(foster.beta1())),
                Map.entry("method.foster.beta2", java.util.Optional.ofNullable(foster.beta2())))) {
            beta.getValue().filter(value -> !(value > 0 && value < 1))
                    .ifPresent(value -> errors.add(beta.getKey(), "must lie strictly between 0 and 1, got " + value));
        }
        positive(errors, "method.foster.temperature", foster.temperature());
        nonNegative(errors, "method.foster.lambdaOkd", foster.lambdaOkd());
        range(errors, "method.foster.compressionEpochs", foster.compressionEpochs(), 1, limits.maxEpochs());
        if (foster.compressionLr() != null && !(foster.compressionLr() > 0 && foster.compressionLr() <= 10)) {
            errors.add("method.foster.compressionLr", "must lie in (0, 10], got " + foster.compressionLr());
        }
        positive(errors, "method.foster.waValue", foster.waValue());
        if (foster.oofc() != null && !foster.oofc().equals(FosterSpec.OOFC_FINETUNE)) {
            errors.add("method.foster.oofc", "must be 'ft' (PyCIL's 'az', zeroing the new classes' weights on the old"
                    + " features, is not implemented)");
        }
    }

    /** The data-free methods' generator and inversion options. */
    private void inversion(Errors errors, String path, InversionSpec options) {
        if (options == null) {
            return;
        }
        range(errors, path + ".iterations", options.iterations(), 1, MAX_INVERSION_ITERATIONS);
        range(errors, path + ".batchSize", options.batchSize(), 2, limits.maxBatchSize());
        range(errors, path + ".latentDim", options.latentDim(), 1, MAX_LATENT_DIM);
        if (options.lr() != null && !(options.lr() > 0 && options.lr() <= 1)) {
            errors.add(path + ".lr", "must be > 0 and <= 1");
        }
        positive(errors, path + ".tau", options.tau());
        nonNegative(errors, path + ".contentWeight", options.contentWeight());
        nonNegative(errors, path + ".bnWeight", options.bnWeight());
        nonNegative(errors, path + ".smoothnessWeight", options.smoothnessWeight());
        nonNegative(errors, path + ".mu", options.mu());
        if (options.sampleMode() != null && !InversionSpec.SAMPLE_MODES.contains(options.sampleMode())) {
            errors.add(path + ".sampleMode", "must be one of " + InversionSpec.SAMPLE_MODES);
        }
        if (options.replayBatchNorm() != null && !InversionSpec.REPLAY_BATCH_NORMS.contains(options.replayBatchNorm())) {
            errors.add(path + ".replayBatchNorm", "must be one of " + InversionSpec.REPLAY_BATCH_NORMS);
        }
    }

    private void memory(MemorySpec memory, MethodCatalog.MethodInfo method, Integer classes, Errors errors) {
        if (method == null) {
            return;
        }
        if (PartCatalog.isDataFree(method.name())) {
            if (memory != null) {
                errors.add("memory", method.name() + " is data-free: it keeps no exemplars at all; leave memory out");
            }
            return;
        }
        if (!method.usesExemplars() && !PartCatalog.takesOptionalMemory(method.name())) {
            if (memory != null && (memory.perClass() != null || memory.total() != null || memory.bytes() != null)) {
                errors.add("memory", method.name() + " keeps no exemplars; leave memory out");
            }
            return;
        }
        if (memory == null) {
            return;
        }
        if (memory.selector() != null && !SELECTORS.contains(memory.selector())) {
            errors.add("memory.selector", "must be one of " + sorted(SELECTORS));
        }
        if ((memory.perClass() != null ? 1 : 0) + (memory.total() != null ? 1 : 0) + (memory.bytes() != null ? 1 : 0) > 1) {
            errors.add("memory", "give one of perClass, total and bytes");
            return;
        }
        if (memory.bytes() != null && (memory.bytes() < 1 || memory.bytes() > MAX_MEMORY_BYTES)) {
            errors.add("memory.bytes", "must be between 1 and " + MAX_MEMORY_BYTES);
        }
        if (memory.perClass() != null && range(errors, "memory.perClass", memory.perClass(), 1, limits.maxMemoryImages())
                && classes != null && (long) memory.perClass() * classes > limits.maxMemoryImages()) {
            errors.add("memory.perClass", "would keep " + (long) memory.perClass() * classes + " images; at most "
                    + limits.maxMemoryImages() + " allowed");
        }
        if (memory.total() != null) {
            range(errors, "memory.total", memory.total(), 1, limits.maxMemoryImages());
        }
        mnemonics(memory, errors);
    }

    /** Options of exemplar compression (CIM): ranges, and what it needs (spatial feature maps, stored uint8 images). */
    private void compression(ExperimentSpec spec, Errors errors) {
        MemorySpec memory = spec.memory();
        if (memory == null || memory.compression() == null || memory.compression() instanceof NoCompressionSpec) {
            return;
        }
        String field = "memory.compression";
        if (ExemplarSelector.MNEMONICS.equals(memory.selector())) {
            errors.add(field, "compresses stored images; selector mnemonics optimises them instead");
        }
        if (spec.model() != null && spec.model().backbone() != null && "mlp".equalsIgnoreCase(spec.model().backbone())) {
            errors.add(field, "needs the feature maps of a convolutional backbone (resnet32, resnet18, resnet8) for its CAMs; mlp has none");
        }
        if (spec.model() != null && spec.model().aggregation() != null) {
            errors.add(field, "is not supported together with model.aggregation");
        }
        Double ratio;
        Double threshold;
        if (memory.compression() instanceof CamCompressionSpec cam) {
            ratio = cam.ratio();
            threshold = cam.threshold();
        } else {
            CimCompressionSpec cim = (CimCompressionSpec) memory.compression();
            ratio = cim.ratio();
            threshold = cim.threshold();
            if (cim.mode() != null && !CimCompressionSpec.MODES.contains(cim.mode())) {
                errors.add(field + ".mode", "must be one of " + CimCompressionSpec.MODES);
            }
            nonNegative(errors, field + ".metaItersPerClass", cim.metaItersPerClass());
            if (cim.metaItersPerClass() != null && cim.metaItersPerClass() > MAX_META_ITERS_PER_CLASS) {
                errors.add(field + ".metaItersPerClass", "must be at most " + MAX_META_ITERS_PER_CLASS);
            }
            range(errors, field + ".metaBatchSize", cim.metaBatchSize(), 1, MAX_META_BATCH);
            positive(errors, field + ".lrRatio", cim.lrRatio());
            positive(errors, field + ".activationLr", cim.activationLr());
            nonNegative(errors, field + ".activationWeightDecay", cim.activationWeightDecay());
            positive(errors, field + ".maxGradNorm", cim.maxGradNorm());
            nonNegative(errors, field + ".divCoef", cim.divCoef());
            nonNegative(errors, field + ".regCoef", cim.regCoef());
            range(errors, field + ".regenerateEvery", cim.regenerateEvery(), 1, limits.maxEpochs());
            if (cim.regenerateFraction() != null && !(cim.regenerateFraction() > 0 && cim.regenerateFraction() <= 1)) {
                errors.add(field + ".regenerateFraction", "must be above 0 and at most 1");
            }
            if (cim.regenerateFraction() != null && cim.regenerateEvery() != null) {
                errors.add(field + ".regenerateFraction", "cannot be combined with regenerateEvery: set one schedule");
            }
            range(errors, field + ".metaItersPerPhase", cim.metaItersPerPhase(), 0, MAX_META_ITERS_PER_PHASE);
            if (cim.randomCompressionStep() != null && !(cim.randomCompressionStep() >= 0 && cim.randomCompressionStep() <= 1)) {
                errors.add(field + ".randomCompressionStep", "must be between 0 and 1");
            }
        }
        if (ratio != null && !(ratio >= 1 && ratio <= MAX_COMPRESSION_RATIO)) {
            errors.add(field + ".ratio", "must be between 1 and " + MAX_COMPRESSION_RATIO);
        }
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            errors.add(field + ".threshold", "must be between 0 and 1 (1: every box empty, the whole image downsampled)");
        }
    }

    /** The precision and options of optimised exemplars: only the mnemonics selector has them. */
    private void mnemonics(MemorySpec memory, Errors errors) {
        boolean mnemonics = ExemplarSelector.MNEMONICS.equals(memory.selector());
        if (memory.storage() != null) {
            if (!STORAGES.contains(memory.storage())) {
                errors.add("memory.storage", "must be one of " + sorted(STORAGES));
            } else if (!mnemonics && !memory.storage().equals("uint8")) {
                errors.add("memory.storage", "applies to optimised exemplars (selector mnemonics); stored images are uint8");
            }
        }
        MnemonicsSpec options = memory.mnemonics();
        if (options == null) {
            return;
        }
        if (!mnemonics) {
            errors.add("memory.mnemonics", "applies to selector mnemonics only");
            return;
        }
        if (options.mode() != null && !PartCatalog.MNEMONICS_MODES.contains(options.mode())) {
            errors.add("memory.mnemonics.mode", "must be one of " + PartCatalog.MNEMONICS_MODES);
        }
        if (options.adjust() != null && !PartCatalog.MNEMONICS_ADJUST.contains(options.adjust())) {
            errors.add("memory.mnemonics.adjust", "must be one of " + PartCatalog.MNEMONICS_ADJUST);
        }
        if ("code".equals(options.mode())) {
            java.util.Map<String, Object> notForCode = new java.util.LinkedHashMap<>();
            notForCode.put("innerSteps", options.innerSteps());
            notForCode.put("innerLr", options.innerLr());
            notForCode.put("logitScale", options.logitScale());
            notForCode.put("maxChange", options.maxChange());
            notForCode.put("heldOutFraction", options.heldOutFraction());
            notForCode.forEach((option, value) -> {
                if (value != null) {
                    errors.add("memory.mnemonics." + option,
                            "does not apply to mode code, the official single-level loop (no inner level, plain cosines, no bound, no held-out data)");
                }
            });
        }
        range(errors, "memory.mnemonics.innerSteps", options.innerSteps(), 0, MAX_INNER_STEPS);
        range(errors, "memory.mnemonics.epochs", options.epochs(), 1, limits.maxEpochs());
        positive(errors, "memory.mnemonics.innerLr", options.innerLr());
        positive(errors, "memory.mnemonics.outerLr", options.outerLr());
        positive(errors, "memory.mnemonics.logitScale", options.logitScale());
        if (options.maxChange() != null && !(options.maxChange() > 0 && options.maxChange() <= 255)) {
            errors.add("memory.mnemonics.maxChange", "must be > 0 and at most 255 grey levels");
        }
        if (options.heldOutFraction() != null
                && !(options.heldOutFraction() > 0 && options.heldOutFraction() <= PartCatalog.MNEMONICS_MAX_HELD_OUT_FRACTION)) {
            errors.add("memory.mnemonics.heldOutFraction", "must be > 0 and at most " + PartCatalog.MNEMONICS_MAX_HELD_OUT_FRACTION);
        }
    }

    private void training(TrainingSpec training, Errors errors) {
        if (training == null) {
            errors.add("training", "is required");
            return;
        }
        boolean epochs = training.epochs() != null;
        if (epochs == (training.iterations() != null)) {
            errors.add("training", "give exactly one of epochs and iterations");
        }
        range(errors, "training.epochs", training.epochs(), 1, limits.maxEpochs());
        range(errors, "training.iterations", training.iterations(), 1, limits.maxIterations());
        range(errors, "training.batchSize", training.batchSize(), 1, limits.maxBatchSize());
        if (training.brightnessJitter() != null) {
            if (!(training.brightnessJitter() >= 0 && training.brightnessJitter() <= 1)) {
                errors.add("training.brightnessJitter", "must lie between 0 and 1 (ColorJitter's brightness range)");
            } else if (training.brightnessJitter() > 0 && Boolean.FALSE.equals(training.augment())) {
                // 0 is what a resolved spec says when there is no jitter, so resubmitting it stays valid
                errors.add("training.brightnessJitter", "applies only with augment: true");
            }
        }
        optimizer("training.optimizer", training.optimizer(), errors);
        schedule("training.schedule", training.schedule(), epochs ? or0(training.epochs()) : or0(training.iterations()), errors);
        base(training, epochs, errors);
    }

    /** Phase 0's overrides: a length in the unit the training counts, and a schedule that fits phase 0's length. */
    private void base(TrainingSpec training, boolean epochs, Errors errors) {
        BaseTrainingSpec base = training.base();
        if (base == null) {
            return;
        }
        range(errors, "training.base.epochs", base.epochs(), 1, limits.maxEpochs());
        range(errors, "training.base.iterations", base.iterations(), 1, limits.maxIterations());
        if (base.epochs() != null && !epochs) {
            errors.add("training.base.epochs", "applies only when training counts epochs");
        }
        if (base.iterations() != null && training.iterations() == null) {
            errors.add("training.base.iterations", "applies only when training counts iterations");
        }
        optimizer("training.base.optimizer", base.optimizer(), errors);
        int length = epochs ? or0(base.epochs() != null ? base.epochs() : training.epochs())
                : or0(base.iterations() != null ? base.iterations() : training.iterations());
        if (base.schedule() != null) {
            schedule("training.base.schedule", base.schedule(), length, errors);
        } else if (base.epochs() != null || base.iterations() != null) {
            // phase 0 keeps the phases' schedule: its milestones must fit phase 0's own length too
            schedule("training.schedule", training.schedule(), length, errors);
        }
    }

    private static int or0(Integer value) {
        return value == null ? 0 : value;
    }

    private static void optimizer(String field, OptimizerSpec optimizer, Errors errors) {
        if (optimizer == null) {
            return;
        }
        String name = optimizer.name() == null ? "sgd" : optimizer.name();
        if (!OPTIMIZERS.contains(name)) {
            errors.add(field + ".name", "must be one of " + sorted(OPTIMIZERS));
            return;
        }
        if (optimizer.lr() != null && !(optimizer.lr() > 0 && optimizer.lr() <= 100)) {
            errors.add(field + ".lr", "must be > 0 and <= 100");
        }
        nonNegative(errors, field + ".weightDecay", optimizer.weightDecay());
        boolean sgd = name.equals("sgd");
        if (sgd) {
            unitInterval(errors, field + ".momentum", optimizer.momentum());
            forbid(errors, field + ".beta1", optimizer.beta1(), "applies only to adam");
            forbid(errors, field + ".beta2", optimizer.beta2(), "applies only to adam");
        } else {
            unitInterval(errors, field + ".beta1", optimizer.beta1());
            unitInterval(errors, field + ".beta2", optimizer.beta2());
            forbid(errors, field + ".momentum", optimizer.momentum(), "applies only to sgd");
            forbid(errors, field + ".nesterov", optimizer.nesterov(), "applies only to sgd");
        }
    }

    private static void schedule(String field, ScheduleSpec schedule, int length, Errors errors) {
        if (schedule == null) {
            return;
        }
        if (schedule.name() == null || !SCHEDULES.contains(schedule.name())) {
            errors.add(field + ".name", "must be one of " + sorted(SCHEDULES));
            return;
        }
        if (!schedule.name().equals("multistep")) {
            forbid(errors, field + ".milestones", schedule.milestones(), "applies only to multistep");
            forbid(errors, field + ".gamma", schedule.gamma(), "applies only to multistep");
            return;
        }
        if (schedule.milestones() == null || schedule.milestones().isEmpty()) {
            errors.add(field + ".milestones", "multistep needs a non-empty list of milestones");
        } else {
            int previous = 0;
            for (int i = 0; i < schedule.milestones().size(); i++) {
                Integer milestone = schedule.milestones().get(i);
                if (milestone == null || milestone <= previous || (length > 0 && milestone >= length)) {
                    errors.add(field + ".milestones[" + i + "]", length == 1
                            ? "a 1-epoch (or 1-iteration) run has no step at which the lr could drop: use the constant schedule"
                            : "milestones must increase strictly and lie between 1 and " + (length - 1) + " (the run has "
                                    + length + " epochs or iterations)");
                    break;
                }
                previous = milestone;
            }
        }
        if (schedule.gamma() != null && !(schedule.gamma() > 0 && schedule.gamma() <= 1)) {
            errors.add(field + ".gamma", "must be > 0 and <= 1");
        }
    }

    private static boolean range(Errors errors, String field, Integer value, int min, int max) {
        return range(errors, field, value, min, max, false);
    }

    private static boolean range(Errors errors, String field, Integer value, int min, int max, boolean required) {
        if (value == null) {
            if (required) {
                errors.add(field, "is required: between " + min + " and " + max);
            }
            return false;
        }
        if (value < min || value > max) {
            errors.add(field, "must be between " + min + " and " + max);
            return false;
        }
        return true;
    }

    private static void positive(Errors errors, String field, Double value) {
        if (value != null && !(value > 0 && Double.isFinite(value))) {
            errors.add(field, "must be a finite number > 0");
        }
    }

    private static void nonNegative(Errors errors, String field, Double value) {
        if (value != null && !(value >= 0 && Double.isFinite(value))) {
            errors.add(field, "must be a finite number >= 0");
        }
    }

    private static void unitInterval(Errors errors, String field, Double value) {
        if (value != null && !(value >= 0 && value < 1)) {
            errors.add(field, "must be >= 0 and < 1");
        }
    }

    private static void forbid(Errors errors, String field, Object value, String why) {
        if (value != null) {
            errors.add(field, why);
        }
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

    private static final class Errors {
        final List<FieldProblem> list = new ArrayList<>();

        void add(String field, String message) {
            list.add(new FieldProblem(field, message));
        }
    }
}
