package org.mnemos.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mnemos.config.RunMemoryCheck;
import org.mnemos.engine.PartCatalog;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.model.Backbones;
import org.mnemos.engine.optim.LrSchedules;
import org.mnemos.engine.optim.Optimizers;
import org.mnemos.engine.protocol.ClassOrders;
import org.mnemos.engine.spec.BaseTrainingSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.ResourcesSpec;
import org.mnemos.engine.spec.ModelSpec;
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
    /** A byte budget above this (1 TiB) is a mistake, not a memory. */
    static final long MAX_MEMORY_BYTES = 1L << 40;

    static final Set<String> OPTIMIZERS = Set.copyOf(Optimizers.NAMES);
    static final Set<String> SCHEDULES = Set.copyOf(LrSchedules.NAMES);
    static final Set<String> CLASS_ORDERS = Set.copyOf(ClassOrders.NAMES);
    /** The published seed-1993 order is a permutation of 100 classes. */
    static final int SEED1993_CLASSES = 100;
    static final int MAX_IMAGE_SIZE = 512;
    static final int MAX_HIDDEN_UNITS = 65536;
    static final int MAX_NAME_LENGTH = 200;

    private final LimitsProperties limits;
    private final RunMemoryCheck memory;

    public SpecValidator(LimitsProperties limits, RunMemoryCheck memory) {
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
        PartCatalog.MethodEntry method = null;
        if (spec.method() == null) {
            errors.add("method", "is required");
        } else {
            method = spec.method().name() == null ? null : PartCatalog.method(spec.method().name()).orElse(null);
            if (spec.method().name() == null) {
                errors.add("method.name", "must be one of " + PartCatalog.methods().stream().map(PartCatalog.MethodEntry::name).toList());
            }
        }
        // the parts' own checks: the engine runs the same before it plans a run
        PartCatalog.check(spec, new SpecProblems.Limits(limits.maxEpochs(), limits.maxBatchSize()))
                .forEach(problem -> errors.add(problem.field(), problem.message()));
        memory(spec.memory(), method, classesInRun(spec.protocol(), numClasses), errors);
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

    /** The memory's size, for a method that keeps exemplars; its selector and compression are parts, checked by their own. */
    private void memory(MemorySpec memory, PartCatalog.MethodEntry method, Integer classes, Errors errors) {
        if (method == null || memory == null) {
            return;
        }
        if (!method.keepsExemplars() && !method.optionalMemory()) {
            boolean reported = errors.list.stream().anyMatch(problem -> problem.field().equals("memory"));
            if (!reported && (memory.perClass() != null || memory.total() != null || memory.bytes() != null)) {
                errors.add("memory", method.name() + " keeps no exemplars; leave memory out");
            }
            return;
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
