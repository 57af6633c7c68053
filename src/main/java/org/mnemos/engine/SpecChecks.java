package org.mnemos.engine;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mnemos.engine.model.Backbones;
import org.mnemos.engine.optim.LrSchedules;
import org.mnemos.engine.optim.Optimizers;
import org.mnemos.engine.protocol.ClassOrders;
import org.mnemos.engine.spec.BaseTrainingSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * The checks of the spec's shared sections, which no part owns: the protocol's phases, the model's
 * backbone and head, the training's length, optimiser and schedule. Each problem names its JSON
 * path; the operator's bounds come with {@link SpecProblems}. (The parts' options are checked by
 * the parts themselves, {@code Parts.check}.)
 */
public final class SpecChecks {

    static final Set<String> BACKBONES = Set.copyOf(Backbones.NAMES);
    /** The heads a spec may name; a method that forces one (LUCIR, PODNet) overrides the choice. */
    static final Set<String> HEADS = Set.of("linear", "cosine", "lsc");

    static final Set<String> OPTIMIZERS = Set.copyOf(Optimizers.NAMES);
    static final Set<String> SCHEDULES = Set.copyOf(LrSchedules.NAMES);
    static final Set<String> CLASS_ORDERS = Set.copyOf(ClassOrders.NAMES);
    /** The published seed-1993 order is a permutation of 100 classes. */
    static final int SEED1993_CLASSES = 100;

    static final int MAX_HIDDEN_UNITS = 65536;

    private SpecChecks() {}

    /** The protocol: phases consistent with the data set's classes (or the limit where the data set is unknown). */
    public static void protocol(ProtocolSpec protocol, Integer datasetClasses, SpecProblems problems) {
        if (protocol == null) {
            problems.add("protocol", "is required");
            return;
        }
        Integer numClasses = datasetClasses;
        if (protocol.numClasses() != null) {
            int max = datasetClasses == null ? problems.limits().maxClasses() : datasetClasses;
            if (problems.range("protocol.numClasses", protocol.numClasses(), 1, max)) {
                numClasses = protocol.numClasses();
            }
        }
        String order = protocol.classOrder() == null ? "natural" : protocol.classOrder();
        if (!CLASS_ORDERS.contains(order)) {
            problems.add("protocol.classOrder", "unknown class order '" + order + "'; one of " + sorted(CLASS_ORDERS));
        }
        if (order.equals("seed1993") && datasetClasses != null && datasetClasses != SEED1993_CLASSES) {
            problems.add(
                    "protocol.classOrder", "seed1993 is an order of 100 classes; this data set has " + datasetClasses);
        }
        if (order.equals("explicit")) {
            labelList(problems, "protocol.classList", protocol.classList(), datasetClasses, true);
        } else if (protocol.classList() != null) {
            problems.add("protocol.classList", "applies only to classOrder explicit");
        }
        if (protocol.classOrderSeed() != null && !order.equals("seeded")) {
            problems.add("protocol.classOrderSeed", "applies only to classOrder seeded");
        }
        if (protocol.phases() != null) {
            if (protocol.initialClasses() != null || protocol.increment() != null) {
                problems.add("protocol.phases", "give either phases or initialClasses with increment, not both");
                return;
            }
            explicitPhases(protocol.phases(), datasetClasses, problems);
            return;
        }
        if (protocol.initialClasses() == null || protocol.increment() == null) {
            problems.add(
                    protocol.initialClasses() == null ? "protocol.initialClasses" : "protocol.increment",
                    "is required unless explicit phases are given");
            return;
        }
        int max = numClasses == null ? problems.limits().maxClasses() : numClasses;
        boolean initialOk = problems.range("protocol.initialClasses", protocol.initialClasses(), 1, max);
        boolean incrementOk = problems.range("protocol.increment", protocol.increment(), 1, max);
        if (order.equals("explicit")
                && protocol.classList() != null
                && numClasses != null
                && protocol.classList().size() < numClasses) {
            numClasses = protocol.classList().size();
        }
        if (!initialOk || !incrementOk || numClasses == null) {
            return;
        }
        int remaining = numClasses - protocol.initialClasses();
        if (remaining < 0) {
            problems.add("protocol.initialClasses", "must be at most the " + numClasses + " classes of the run");
            return;
        }
        if (remaining % protocol.increment() != 0) {
            problems.add(
                    "protocol.increment", "must divide the " + remaining + " classes after the first phase evenly");
        }
    }

    private static void explicitPhases(List<List<Integer>> phases, Integer datasetClasses, SpecProblems problems) {
        if (phases.isEmpty()) {
            problems.add("protocol.phases", "must hold at least one phase");
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < phases.size(); i++) {
            String field = "protocol.phases[" + i + "]";
            List<Integer> phase = phases.get(i);
            if (labelList(problems, field, phase, datasetClasses, false)) {
                for (Integer label : phase) {
                    if (!seen.add(label)) {
                        problems.add(field, "label " + label + " already appears in an earlier phase");
                    }
                }
            }
        }
    }

    /** A non-empty list of distinct labels in [0, classes); returns whether it is well formed. */
    private static boolean labelList(
            SpecProblems problems, String field, List<Integer> labels, Integer classes, boolean complete) {
        if (labels == null || labels.isEmpty()) {
            problems.add(field, "must be a non-empty list of class labels");
            return false;
        }
        int upper = classes == null ? problems.limits().maxClasses() : classes;
        Set<Integer> distinct = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            Integer label = labels.get(i);
            if (label == null || label < 0 || label >= upper) {
                problems.add(field + "[" + i + "]", "must be a class label between 0 and " + (upper - 1));
                return false;
            }
            if (!distinct.add(label)) {
                problems.add(field + "[" + i + "]", "duplicate label " + label);
                return false;
            }
        }
        return true;
    }

    /** The classes a run learns, where known. */
    public static Integer classesInRun(ProtocolSpec protocol, Integer datasetClasses) {
        if (protocol == null) {
            return datasetClasses;
        }
        if (protocol.phases() != null) {
            return protocol.phases().stream()
                    .mapToInt(p -> p == null ? 0 : p.size())
                    .sum();
        }
        return protocol.numClasses() != null ? protocol.numClasses() : datasetClasses;
    }

    /** The backbone, head and their shape options. */
    public static void model(ModelSpec model, SpecProblems problems) {
        if (model == null) {
            problems.add("model", "is required");
            return;
        }
        if (model.backbone() == null || !BACKBONES.contains(model.backbone())) {
            problems.add("model.backbone", "must be one of " + sorted(BACKBONES));
        }
        if (model.head() != null && !HEADS.contains(model.head())) {
            problems.add("model.head", "must be one of " + sorted(HEADS));
        }
        if (model.hiddenUnits() != null) {
            if (!"mlp".equals(model.backbone())) {
                problems.add("model.hiddenUnits", "applies only to the mlp backbone");
            } else if (model.hiddenUnits().isEmpty()) {
                problems.add("model.hiddenUnits", "must list at least one layer width");
            } else {
                for (int i = 0; i < model.hiddenUnits().size(); i++) {
                    if (model.hiddenUnits().get(i) == null) {
                        problems.add("model.hiddenUnits[" + i + "]", "is required: between 1 and " + MAX_HIDDEN_UNITS);
                    } else {
                        problems.range(
                                "model.hiddenUnits[" + i + "]",
                                model.hiddenUnits().get(i),
                                1,
                                MAX_HIDDEN_UNITS);
                    }
                }
            }
        }
        if (model.shortcut() != null) {
            if (!"resnet32".equals(model.backbone()) && !"resnet8".equals(model.backbone())) {
                problems.add("model.shortcut", "applies only to the resnet32 and resnet8 backbones");
            } else if (!ModelSpec.SHORTCUTS.contains(model.shortcut())) {
                problems.add("model.shortcut", "must be one of " + ModelSpec.SHORTCUTS);
            }
        }
    }

    /** Length, batch, augmentation, optimiser and schedule of every phase, and phase 0's overrides. */
    public static void training(TrainingSpec training, SpecProblems problems) {
        if (training == null) {
            problems.add("training", "is required");
            return;
        }
        boolean epochs = training.epochs() != null;
        if (epochs == (training.iterations() != null)) {
            problems.add("training", "give exactly one of epochs and iterations");
        }
        problems.range(
                "training.epochs", training.epochs(), 1, problems.limits().maxEpochs());
        problems.range(
                "training.iterations",
                training.iterations(),
                1,
                problems.limits().maxIterations());
        problems.range(
                "training.batchSize", training.batchSize(), 1, problems.limits().maxBatchSize());
        if (training.brightnessJitter() != null) {
            if (!(training.brightnessJitter() >= 0 && training.brightnessJitter() <= 1)) {
                problems.add("training.brightnessJitter", "must lie between 0 and 1 (ColorJitter's brightness range)");
            } else if (training.brightnessJitter() > 0 && Boolean.FALSE.equals(training.augment())) {
                // 0 is what a resolved spec says when there is no jitter, so resubmitting it stays valid
                problems.add("training.brightnessJitter", "applies only with augment: true");
            }
        }
        optimizer("training.optimizer", training.optimizer(), problems);
        schedule(
                "training.schedule",
                training.schedule(),
                epochs ? or0(training.epochs()) : or0(training.iterations()),
                problems);
        base(training, epochs, problems);
    }

    /** Phase 0's overrides: a length in the unit the training counts, and a schedule that fits phase 0's length. */
    private static void base(TrainingSpec training, boolean epochs, SpecProblems problems) {
        BaseTrainingSpec base = training.base();
        if (base == null) {
            return;
        }
        problems.range(
                "training.base.epochs", base.epochs(), 1, problems.limits().maxEpochs());
        problems.range(
                "training.base.iterations",
                base.iterations(),
                1,
                problems.limits().maxIterations());
        if (base.epochs() != null && !epochs) {
            problems.add("training.base.epochs", "applies only when training counts epochs");
        }
        if (base.iterations() != null && training.iterations() == null) {
            problems.add("training.base.iterations", "applies only when training counts iterations");
        }
        optimizer("training.base.optimizer", base.optimizer(), problems);
        int length = epochs
                ? or0(base.epochs() != null ? base.epochs() : training.epochs())
                : or0(base.iterations() != null ? base.iterations() : training.iterations());
        if (base.schedule() != null) {
            schedule("training.base.schedule", base.schedule(), length, problems);
        } else if (base.epochs() != null || base.iterations() != null) {
            // phase 0 keeps the phases' schedule: its milestones must fit phase 0's own length too
            schedule("training.schedule", training.schedule(), length, problems);
        }
    }

    private static int or0(Integer value) {
        return value == null ? 0 : value;
    }

    private static void optimizer(String field, OptimizerSpec optimizer, SpecProblems problems) {
        if (optimizer == null) {
            return;
        }
        String name = optimizer.name() == null ? "sgd" : optimizer.name();
        if (!OPTIMIZERS.contains(name)) {
            problems.add(field + ".name", "must be one of " + sorted(OPTIMIZERS));
            return;
        }
        if (optimizer.lr() != null && !(optimizer.lr() > 0 && optimizer.lr() <= 100)) {
            problems.add(field + ".lr", "must be > 0 and <= 100");
        }
        problems.nonNegative(field + ".weightDecay", optimizer.weightDecay());
        boolean sgd = name.equals("sgd");
        if (sgd) {
            unitInterval(problems, field + ".momentum", optimizer.momentum());
            problems.forbid(field + ".beta1", optimizer.beta1(), "applies only to adam");
            problems.forbid(field + ".beta2", optimizer.beta2(), "applies only to adam");
        } else {
            unitInterval(problems, field + ".beta1", optimizer.beta1());
            unitInterval(problems, field + ".beta2", optimizer.beta2());
            problems.forbid(field + ".momentum", optimizer.momentum(), "applies only to sgd");
            problems.forbid(field + ".nesterov", optimizer.nesterov(), "applies only to sgd");
        }
    }

    private static void schedule(String field, ScheduleSpec schedule, int length, SpecProblems problems) {
        if (schedule == null) {
            return;
        }
        if (schedule.name() == null || !SCHEDULES.contains(schedule.name())) {
            problems.add(field + ".name", "must be one of " + sorted(SCHEDULES));
            return;
        }
        if (!schedule.name().equals("multistep")) {
            problems.forbid(field + ".milestones", schedule.milestones(), "applies only to multistep");
            problems.forbid(field + ".gamma", schedule.gamma(), "applies only to multistep");
            return;
        }
        if (schedule.milestones() == null || schedule.milestones().isEmpty()) {
            problems.add(field + ".milestones", "multistep needs a non-empty list of milestones");
        } else {
            int previous = 0;
            for (int i = 0; i < schedule.milestones().size(); i++) {
                Integer milestone = schedule.milestones().get(i);
                if (milestone == null || milestone <= previous || (length > 0 && milestone >= length)) {
                    problems.add(
                            field + ".milestones[" + i + "]",
                            length == 1
                                    ? "a 1-epoch (or 1-iteration) run has no step at which the lr could drop: use the constant schedule"
                                    : "milestones must increase strictly and lie between 1 and " + (length - 1)
                                            + " (the run has " + length + " epochs or iterations)");
                    break;
                }
                previous = milestone;
            }
        }
        if (schedule.gamma() != null && !(schedule.gamma() > 0 && schedule.gamma() <= 1)) {
            problems.add(field + ".gamma", "must be > 0 and <= 1");
        }
    }

    private static void unitInterval(SpecProblems problems, String field, Double value) {
        if (value != null && !(value >= 0 && value < 1)) {
            problems.add(field, "must be >= 0 and < 1");
        }
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
