package org.mnemos.engine;

import java.util.List;
import org.mnemos.engine.memory.ExemplarSelector;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.parts.Methods;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsOptions;
import org.mnemos.engine.parts.method.dfcil.InversionOptions;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.AggregationSpec;
import org.mnemos.engine.spec.BaseTrainingSpec;
import org.mnemos.engine.spec.CamCompressionSpec;
import org.mnemos.engine.spec.CimCompressionSpec;
import org.mnemos.engine.spec.CompressionSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FinetuneSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.MnemonicsSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Fills every optional field of a spec with the value the engine would use, so the stored
 * "resolved spec" says exactly what ran.
 */
public final class SpecDefaults {

    public static final int DEFAULT_BATCH_SIZE = 128;
    public static final int DEFAULT_PER_CLASS = 20;

    private SpecDefaults() {}

    public static ExperimentSpec resolve(ExperimentSpec spec, int channels) {
        require(spec.dataset(), "dataset");
        require(spec.dataset().name(), "dataset.name");
        require(spec.protocol(), "protocol");
        require(spec.method(), "method");
        require(spec.method().name(), "method.name");
        require(spec.training(), "training");
        TrainingSpec training = training(spec.training(), channels);
        boolean dataFree = Methods.DATA_FREE.contains(spec.method().name());
        if (dataFree && spec.memory() != null) {
            throw new SpecException("memory", spec.method().name() + " is data-free: it keeps no exemplars; leave memory out");
        }
        return new ExperimentSpec(
                spec.name() == null ? spec.method().name() + "-" + spec.dataset().name() : spec.name(),
                spec.seed() == null ? 0L : spec.seed(),
                spec.preset(),
                spec.dataset(),
                protocol(spec.protocol()),
                model(spec.model(), Methods.create(spec.method()).head(), spec.method().name()),
                method(spec.method(), training.optimizer().lr()),
                // only a method that keeps exemplars has a memory (LwF when the client gives it one), so that
                // the resolved spec says what ran and can be submitted again as it is
                keepsMemory(spec) ? memory(spec.memory()) : null,
                training,
                spec.resources());
    }

    private static boolean keepsMemory(ExperimentSpec spec) {
        return Methods.create(spec.method()).keepsExemplars()
                || (Methods.OPTIONAL_MEMORY.contains(spec.method().name()) && spec.memory() != null);
    }

    /**
     * The method's options with their defaults (the baselines' scalar options, FOSTER's, finetune's and
     * the data-free methods'), so the stored spec names every value that ran; FOSTER's compression
     * stage takes the training learning rate unless given one.
     */
    private static MethodSpec method(MethodSpec given, double trainingLr) {
        MethodSpec m = Methods.withBaselineDefaults(given);
        if ("foster".equals(m.name())) {
            return foster(m, trainingLr);
        }
        if ("finetune".equals(m.name())) {
            FinetuneSpec finetune = (m.finetune() == null ? new FinetuneSpec(null) : m.finetune()).resolved();
            return new MethodSpec(m.name(), m.temperature(), m.distillationWeight(), m.lambdaBase(), m.margin(), m.hardNegatives(),
                    m.podSpatialWeight(), m.podFlatWeight(), m.proxiesPerClass(), m.biasValidationFraction(), m.biasEpochs(),
                    m.balancedFinetuneEpochs(), m.foster(), m.abd(), m.deepinversion(), finetune);
        }
        if (m.abd() == null && m.deepinversion() == null && !Methods.DATA_FREE.contains(m.name())) {
            return m;
        }
        return new MethodSpec(m.name(), m.temperature(), m.distillationWeight(), m.lambdaBase(), m.margin(), m.hardNegatives(),
                m.podSpatialWeight(), m.podFlatWeight(), m.proxiesPerClass(), m.biasValidationFraction(), m.biasEpochs(),
                m.balancedFinetuneEpochs(), m.foster(),
                "abd".equals(m.name()) ? InversionOptions.resolve(m.abd(), true) : m.abd(),
                "deepinversion".equals(m.name()) ? InversionOptions.resolve(m.deepinversion(), false) : m.deepinversion(),
                m.finetune());
    }

    private static MethodSpec foster(MethodSpec m, double trainingLr) {
        FosterSpec foster = (m.foster() == null ? new FosterSpec(null, null, null, null, null, null, null, null, null, null)
                : m.foster()).resolved();
        if (foster.compressionLr() == null) {
            foster = new FosterSpec(foster.beta1(), foster.beta2(), foster.temperature(), foster.lambdaOkd(),
                    foster.compressionEpochs(), trainingLr, foster.isTeacherWa(), foster.isStudentWa(), foster.waValue(),
                    foster.oofc());
        }
        return new MethodSpec(m.name(), m.temperature(), m.distillationWeight(), m.lambdaBase(), m.margin(), m.hardNegatives(),
                m.podSpatialWeight(), m.podFlatWeight(), m.proxiesPerClass(), m.biasValidationFraction(), m.biasEpochs(),
                m.balancedFinetuneEpochs(), foster, m.abd(), m.deepinversion(), m.finetune());
    }

    private static ProtocolSpec protocol(ProtocolSpec p) {
        String order = p.classOrder() != null ? p.classOrder() : p.classList() != null ? "explicit" : "natural";
        return new ProtocolSpec(p.initialClasses(), p.increment(), p.numClasses(), p.phases(), order, p.classOrderSeed(), p.classList());
    }

    /**
     * The model with its defaults, and the head the method forces (LUCIR's cosine, PODNet's LSC)
     * in place of the spec's: that head is what runs, and it decides the backbone's last ReLU and
     * ResNet-32's default shortcut.
     */
    /** The backbones built from {@code CifarResNet}, whose downsampling shortcut is selectable. */
    private static final List<String> CIFAR_RESNETS = List.of("resnet32", "resnet8");

    /**
     * The backbones AANets aggregates: convolutional ones, whose stable branch rescales every (out,
     * in) kernel slice (AANets' ss). The MLP's stable layer could only rescale whole units, too rigid
     * to learn new classes (bench/RESULTS.md, issue 21), so it is refused rather than extended.
     */
    public static final List<String> AGGREGATED_BACKBONES = List.of("resnet32", "resnet8", "resnet18");
    public static final String AGGREGATION_NEEDS_CONV =
            "AANets needs a convolutional backbone (" + String.join(", ", AGGREGATED_BACKBONES)
                    + "): an MLP's stable branch can only rescale whole units and does not learn new classes; got ";

    private static ModelSpec model(ModelSpec m, HeadType forcedHead, String method) {
        if (m == null || m.backbone() == null) {
            throw new SpecException("model.backbone", "is required; allowed: " + org.mnemos.engine.model.Backbones.NAMES);
        }
        List<Integer> hidden = "mlp".equals(m.backbone()) && m.hiddenUnits() == null ? List.of(400, 400) : m.hiddenUnits();
        String head = forcedHead != null ? forcedHead.name().toLowerCase(java.util.Locale.ROOT)
                : m.head() == null ? "linear" : m.head();
        if (m.aggregation() != null && !AGGREGATED_BACKBONES.contains(m.backbone())) {
            throw new SpecException("model.aggregation", AGGREGATION_NEEDS_CONV + m.backbone());
        }
        AggregationSpec aggregation = m.aggregation() instanceof AanetsSpec aanets ? aanets.resolved(method) : m.aggregation();
        String shortcut = m.shortcut() != null || !CIFAR_RESNETS.contains(m.backbone()) ? m.shortcut()
                : head.equals("linear") ? "zeroPad" : "projection";
        return new ModelSpec(m.backbone(), hidden, head, aggregation, shortcut, m.init() == null ? null : m.init().resolved(),
                m.scaledKernels());
    }

    /** The data-free methods' inversion options with their defaults; other methods as given. */
    private static MemorySpec memory(MemorySpec m) {
        if (m == null) {
            return new MemorySpec("herding", DEFAULT_PER_CLASS, null);
        }
        ExemplarSelector.named(m.selector());
        Integer perClass = m.perClass() == null && m.total() == null && m.bytes() == null
                ? Integer.valueOf(DEFAULT_PER_CLASS)
                : m.perClass();
        String selector = m.selector() == null ? "herding" : m.selector();
        boolean mnemonics = ExemplarSelector.MNEMONICS.equals(selector);
        MnemonicsSpec options = mnemonics
                ? MnemonicsOptions.resolve(m.mnemonics() == null ? MnemonicsOptions.DEFAULTS : m.mnemonics())
                : m.mnemonics();
        // storage stays unset for selectors that keep stored images, so their resolved specs read as before
        CompressionSpec compression = m.compression();
        if (compression instanceof CamCompressionSpec cam) {
            compression = cam.resolved();
        } else if (compression instanceof CimCompressionSpec cim) {
            compression = cim.resolved();
        }
        return new MemorySpec(selector, perClass, m.total(), mnemonics ? m.storageOrDefault() : m.storage(), options,
                m.bytes(), compression);
    }

    private static TrainingSpec training(TrainingSpec t, int channels) {
        if ((t.epochs() == null) == (t.iterations() == null)) {
            throw new SpecException("training", "give exactly one of epochs or iterations");
        }
        BaseTrainingSpec b = t.base();
        BaseTrainingSpec base = b == null ? null : new BaseTrainingSpec(
                b.epochs(), b.iterations(), b.optimizer() == null ? null : optimizer(b.optimizer()),
                b.schedule() == null ? null : schedule(b.schedule()));
        return new TrainingSpec(
                t.epochs(),
                t.iterations(),
                t.batchSize() == null ? DEFAULT_BATCH_SIZE : t.batchSize(),
                optimizer(t.optimizer() == null ? new OptimizerSpec("sgd", null, null, null, null, null, null) : t.optimizer()),
                schedule(t.schedule() == null ? new ScheduleSpec("constant", null, null) : t.schedule()),
                // flips and crops suit natural images, not digits
                t.augment() != null ? t.augment() : channels == 3,
                t.brightnessJitter() != null ? t.brightnessJitter() : 0.0,
                base);
    }

    private static OptimizerSpec optimizer(OptimizerSpec o) {
        String name = o.name() == null ? "sgd" : o.name();
        boolean adam = "adam".equals(name);
        return new OptimizerSpec(
                name,
                o.lr() != null ? o.lr() : adam ? 1e-3 : 0.1,
                o.momentum() != null ? o.momentum() : adam ? null : 0.9,
                o.weightDecay() != null ? o.weightDecay() : 0.0,
                o.nesterov() != null ? o.nesterov() : adam ? null : Boolean.FALSE,
                o.beta1() != null ? o.beta1() : adam ? 0.9 : null,
                o.beta2() != null ? o.beta2() : adam ? 0.999 : null);
    }

    private static ScheduleSpec schedule(ScheduleSpec s) {
        return new ScheduleSpec(
                s.name() == null ? "constant" : s.name(),
                s.milestones(),
                s.gamma() != null ? s.gamma() : "multistep".equals(s.name()) ? 0.1 : null);
    }

    private static void require(Object value, String field) {
        if (value == null) {
            throw new SpecException(field, "is required");
        }
    }
}
