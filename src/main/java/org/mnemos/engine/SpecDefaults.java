package org.mnemos.engine;

import java.util.List;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.parts.MethodPart;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.spec.AggregationSpec;
import org.mnemos.engine.spec.BaseTrainingSpec;
import org.mnemos.engine.spec.CompressionSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Fills every optional field of a spec with the value the engine would use, so the stored
 * "resolved spec" says exactly what ran: the shared fields here, each part's options by the part
 * itself ({@code Part.resolve}).
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
        MethodPart<?> method = Parts.method(spec.method().name());
        // what the parts' defaults may read: the spec with its training resolved
        ExperimentSpec given = new ExperimentSpec(
                spec.name(),
                spec.seed(),
                spec.preset(),
                spec.dataset(),
                spec.protocol(),
                spec.model(),
                spec.method(),
                spec.memory(),
                training,
                spec.resources());
        // only a method that keeps exemplars has a memory (LwF when the client gives it one), so that
        // the resolved spec says what ran and can be submitted again as it is
        boolean keepsMemory = method.createAny(spec.method()).keepsExemplars()
                || (method.takesOptionalMemory() && spec.memory() != null);
        return new ExperimentSpec(
                spec.name() == null
                        ? spec.method().name() + "-" + spec.dataset().name()
                        : spec.name(),
                spec.seed() == null ? 0L : spec.seed(),
                spec.preset(),
                spec.dataset(),
                protocol(spec.protocol()),
                model(spec.model(), method.createAny(spec.method()).head(), given),
                // every option of the method with its default, so the stored spec names every value that ran
                Parts.resolve(Parts.METHOD, spec.method().name(), spec.method(), given),
                keepsMemory ? memory(spec.memory(), given) : null,
                training,
                spec.resources());
    }

    private static ProtocolSpec protocol(ProtocolSpec p) {
        String order = p.classOrder() != null ? p.classOrder() : p.classList() != null ? "explicit" : "natural";
        return new ProtocolSpec(
                p.initialClasses(),
                p.increment(),
                p.numClasses(),
                p.phases(),
                order,
                p.classOrderSeed(),
                p.classList());
    }

    /** The backbones built from {@code CifarResNet}, whose downsampling shortcut is selectable. */
    private static final List<String> CIFAR_RESNETS = List.of("resnet32", "resnet8");

    /**
     * The model with its defaults and its aggregation part's, and the head the method forces
     * (LUCIR's cosine, PODNet's LSC) in place of the spec's: that head is what runs, and it decides
     * the backbone's last ReLU and ResNet-32's default shortcut.
     */
    private static ModelSpec model(ModelSpec m, HeadType forcedHead, ExperimentSpec run) {
        if (m == null || m.backbone() == null) {
            throw new SpecException(
                    "model.backbone", "is required; allowed: " + org.mnemos.engine.model.Backbones.NAMES);
        }
        List<Integer> hidden =
                "mlp".equals(m.backbone()) && m.hiddenUnits() == null ? List.of(400, 400) : m.hiddenUnits();
        String head = forcedHead != null
                ? forcedHead.name().toLowerCase(java.util.Locale.ROOT)
                : m.head() == null ? "linear" : m.head();
        AggregationSpec aggregation = m.aggregation() == null
                ? null
                : Parts.resolve(Parts.AGGREGATION, m.aggregation().name(), m.aggregation(), run);
        String shortcut = m.shortcut() != null || !CIFAR_RESNETS.contains(m.backbone())
                ? m.shortcut()
                : head.equals("linear") ? "zeroPad" : "projection";
        return new ModelSpec(
                m.backbone(),
                hidden,
                head,
                aggregation,
                shortcut,
                m.init() == null ? null : m.init().resolved(),
                m.scaledKernels());
    }

    /** The memory's budget with its default, then its selector's and its compression's defaults. */
    private static MemorySpec memory(MemorySpec m, ExperimentSpec run) {
        if (m == null) {
            return new MemorySpec(Parts.selector(null), DEFAULT_PER_CLASS, null);
        }
        Integer perClass = m.perClass() == null && m.total() == null && m.bytes() == null
                ? Integer.valueOf(DEFAULT_PER_CLASS)
                : m.perClass();
        String selector = Parts.selector(m);
        if (Parts.find(Parts.SELECTOR, selector) == null) {
            throw new SpecException(
                    "memory.selector", "unknown selector '" + selector + "'; allowed: " + Parts.names(Parts.SELECTOR));
        }
        MemorySpec memory = Parts.resolve(
                Parts.SELECTOR,
                selector,
                new MemorySpec(selector, perClass, m.total(), m.storage(), m.mnemonics(), m.bytes(), m.compression()),
                run);
        CompressionSpec compression = memory.compression() == null
                ? null
                : Parts.resolve(Parts.COMPRESSION, memory.compression().name(), memory.compression(), run);
        return memory.withCompression(compression);
    }

    private static TrainingSpec training(TrainingSpec t, int channels) {
        if ((t.epochs() == null) == (t.iterations() == null)) {
            throw new SpecException("training", "give exactly one of epochs or iterations");
        }
        BaseTrainingSpec b = t.base();
        BaseTrainingSpec base = b == null
                ? null
                : new BaseTrainingSpec(
                        b.epochs(),
                        b.iterations(),
                        b.optimizer() == null ? null : optimizer(b.optimizer()),
                        b.schedule() == null ? null : schedule(b.schedule()));
        return new TrainingSpec(
                t.epochs(),
                t.iterations(),
                t.batchSize() == null ? DEFAULT_BATCH_SIZE : t.batchSize(),
                optimizer(
                        t.optimizer() == null
                                ? new OptimizerSpec("sgd", null, null, null, null, null, null)
                                : t.optimizer()),
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
