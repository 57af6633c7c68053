package org.mnemos.engine.parts.method.baseline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.parts.MethodPart;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.phase.NetworkHook;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.TrainingData;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.phase.loss.KnowledgeDistillationLoss;
import org.mnemos.engine.phase.loss.LessForgetLoss;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.MarginRankingLoss;
import org.mnemos.engine.phase.loss.NcaLoss;
import org.mnemos.engine.phase.loss.PodFlatLoss;
import org.mnemos.engine.phase.loss.PodSpatialLoss;
import org.mnemos.engine.phase.loss.SigmoidDistillationLoss;
import org.mnemos.engine.phase.loss.WeightedLoss;
import org.mnemos.engine.spec.BicSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FinetuneSpec;
import org.mnemos.engine.spec.IcarlSpec;
import org.mnemos.engine.spec.JointSpec;
import org.mnemos.engine.spec.LucirSpec;
import org.mnemos.engine.spec.LwfMcSpec;
import org.mnemos.engine.spec.LwfSpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.PodnetSpec;
import org.mnemos.engine.spec.ReplaySpec;

/**
 * The baselines as method parts: the bounds (finetune, joint), rehearsal, and the distillation
 * methods, each with its own options record. Defaults follow the original papers' code (PyCIL for
 * LwF, iCaRL and BiC; LUCIR's and PODNet's own repositories).
 */
public final class BaselineMethods {

    private static final CrossEntropyLoss CROSS_ENTROPY = new CrossEntropyLoss(false);

    /**
     * Fine-tuning on each phase's classes only. Its cross-entropy covers every seen class's logit by
     * default (the lower bound: nothing holds the old classes up); {@code newOnly} restricts it to the
     * new classes' logits once there are old ones, as PyCIL's {@code models/finetune.py}, which leaves
     * the old logits untouched by the loss.
     */
    public static final MethodPart<FinetuneSpec> FINETUNE = new Baseline<>(
            FinetuneSpec.NAME,
            "Fine-tuning on each phase's classes only: the lower bound.",
            FinetuneSpec.class,
            s -> new FinetuneSpec(s.name(), or(s.loss(), FinetuneSpec.ALL_SEEN)),
            (s, problems) -> {
                if (s.loss() != null && !FinetuneSpec.LOSSES.contains(s.loss())) {
                    problems.add("method.loss", "must be one of " + FinetuneSpec.LOSSES + ", was '" + s.loss() + "'");
                }
            },
            BaselineMethods::finetune);

    public static final MethodPart<JointSpec> JOINT = new Baseline<>(
            JointSpec.NAME,
            "Training on every image of every class seen so far: the upper bound.",
            JointSpec.class,
            UnaryOperator.identity(),
            (s, problems) -> {},
            spec -> new CilMethod(
                    "joint",
                    "Training on every image of every class seen so far: the upper bound.",
                    TrainingData.ALL_SEEN_CLASSES,
                    false,
                    ClassifierRule.CNN,
                    null,
                    false,
                    classificationOnly(),
                    List.of()));

    public static final MethodPart<ReplaySpec> REPLAY = new Baseline<>(
            ReplaySpec.NAME,
            "Rehearsal of an exemplar memory alongside the new classes.",
            ReplaySpec.class,
            UnaryOperator.identity(),
            (s, problems) -> {},
            spec -> new CilMethod(
                    "replay",
                    "Rehearsal of an exemplar memory alongside the new classes.",
                    TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                    true,
                    ClassifierRule.CNN,
                    null,
                    false,
                    classificationOnly(),
                    List.of()));

    /**
     * Li & Hoiem 2016 as in PyCIL: CE on the new classes' logits + 3·KD(T=2) on the old ones. Given an
     * exemplar memory, as the mnemonics paper runs it, LwF trains on the new classes and the
     * exemplars with CE over every seen class (an exemplar's label is an old class, outside the new
     * logits) and the same KD, classified by the network's output.
     */
    public static final MethodPart<LwfSpec> LWF =
            new Baseline<>(
                    LwfSpec.NAME,
                    "LwF (Li & Hoiem 2016): distillation from the previous model, no exemplars.",
                    LwfSpec.class,
                    s -> new LwfSpec(s.name(), or(s.temperature(), 2.0), or(s.distillationWeight(), 3.0)),
                    (s, problems) -> checkDistillation(s.temperature(), s.distillationWeight(), problems),
                    spec -> lwf(spec, false)) {
                @Override
                public CilMethod forRun(LwfSpec spec, ExperimentSpec run) {
                    return lwf(resolve(spec, run), run.memory() != null);
                }

                @Override
                public boolean takesOptionalMemory() {
                    return true;
                }
            };

    /** Rebuffi et al. 2017 as in PyCIL: CE + KD(T=2), herding memory, nearest-mean-of-exemplars. */
    public static final MethodPart<IcarlSpec> ICARL = new Baseline<>(
            IcarlSpec.NAME,
            "iCaRL (Rebuffi et al. 2017): distillation, herding exemplars, nearest-mean-of-exemplars classifier.",
            IcarlSpec.class,
            s -> new IcarlSpec(s.name(), or(s.temperature(), 2.0), or(s.distillationWeight(), 1.0)),
            (s, problems) -> checkDistillation(s.temperature(), s.distillationWeight(), problems),
            BaselineMethods::icarl);

    /**
     * Wu et al. 2019: (1−λ)·CE + λ·KD with λ = old/seen, then a bias-correction layer on the new
     * classes' logits trained on a held-out part of the exemplars (and as many new images per class).
     */
    public static final MethodPart<BicSpec> BIC = new Baseline<>(
            BicSpec.NAME,
            "BiC (Wu et al. 2019): distillation plus a bias-correction layer fitted on held-out exemplars.",
            BicSpec.class,
            s -> new BicSpec(
                    s.name(), or(s.temperature(), 2.0), or(s.biasValidationFraction(), 0.1), or(s.biasEpochs(), 50)),
            (s, problems) -> {
                problems.positive("method.temperature", s.temperature());
                if (s.biasValidationFraction() != null
                        && !(s.biasValidationFraction() > 0 && s.biasValidationFraction() < 1)) {
                    problems.add("method.biasValidationFraction", "must be strictly between 0 and 1");
                }
                problems.range(
                        "method.biasEpochs",
                        s.biasEpochs(),
                        0,
                        problems.limits().maxEpochs());
            },
            BaselineMethods::bic);

    /**
     * Hou et al. 2019: cosine head with imprinted new weights and fixed old ones, CE on scaled cosines, less-forget
     * constraint λ_base·√(old/new) (λ_base 5), margin ranking (m 0.5, K 2), optional class-balanced
     * finetuning.
     */
    public static final MethodPart<LucirSpec> LUCIR = new Baseline<>(
            LucirSpec.NAME,
            "LUCIR (Hou et al. 2019): cosine head, less-forget constraint, margin ranking loss.",
            LucirSpec.class,
            s -> new LucirSpec(
                    s.name(),
                    or(s.lambdaBase(), 5.0),
                    or(s.margin(), 0.5),
                    or(s.hardNegatives(), 2),
                    or(s.balancedFinetuneEpochs(), 0)),
            (s, problems) -> {
                problems.nonNegative("method.lambdaBase", s.lambdaBase());
                problems.nonNegative("method.margin", s.margin());
                problems.range("method.hardNegatives", s.hardNegatives(), 1, 1000);
                problems.range(
                        "method.balancedFinetuneEpochs",
                        s.balancedFinetuneEpochs(),
                        0,
                        problems.limits().maxEpochs());
            },
            BaselineMethods::lucir);

    /**
     * Douillard et al. 2020 as PyCIL runs it ({@code models/podnet.py}): local similarity classifier with
     * NCA loss (margin 0.6), POD-spatial over the three stage outputs (λ_c 5) and POD-flat (λ_f 1), both
     * scaled by √(seen/new), the old classes' proxies fixed, class-balanced finetuning of the
     * classifier's weights (20 epochs, lr 0.05 constant in the CIFAR config). {@code proxiesPerClass}
     * stays as given (the head's default).
     */
    public static final MethodPart<PodnetSpec> PODNET = new Baseline<>(
            PodnetSpec.NAME,
            "PODNet (Douillard et al. 2020): pooled-output distillation, local similarity classifier.",
            PodnetSpec.class,
            s -> new PodnetSpec(
                    s.name(),
                    or(s.podSpatialWeight(), 5.0),
                    or(s.podFlatWeight(), 1.0),
                    or(s.margin(), 0.6),
                    s.proxiesPerClass(),
                    or(s.balancedFinetuneEpochs(), 20)),
            (s, problems) -> {
                problems.nonNegative("method.podSpatialWeight", s.podSpatialWeight());
                problems.nonNegative("method.podFlatWeight", s.podFlatWeight());
                problems.nonNegative("method.margin", s.margin());
                problems.range("method.proxiesPerClass", s.proxiesPerClass(), 1, 100);
                problems.range(
                        "method.balancedFinetuneEpochs",
                        s.balancedFinetuneEpochs(),
                        0,
                        problems.limits().maxEpochs());
            },
            BaselineMethods::podnet);

    /**
     * LwF.MC as in the ABD authors' {@code LWF_MC}: iCaRL's sigmoid classification and distillation
     * without exemplars, classified by the network's output.
     */
    public static final MethodPart<LwfMcSpec> LWF_MC = new Baseline<>(
            LwfMcSpec.NAME,
            "LwF.MC: iCaRL's sigmoid distillation without exemplars.",
            LwfMcSpec.class,
            UnaryOperator.identity(),
            (s, problems) -> {},
            spec -> new CilMethod(
                    "lwf-mc",
                    "LwF.MC: iCaRL's sigmoid distillation without exemplars.",
                    TrainingData.NEW_CLASSES,
                    false,
                    ClassifierRule.CNN,
                    null,
                    false,
                    sigmoidDistillation(),
                    List.of()));

    /** The baselines listed before FOSTER in the method table. */
    public static final List<MethodPart<?>> BEFORE_FOSTER =
            List.of(FINETUNE, JOINT, REPLAY, LWF, ICARL, BIC, LUCIR, PODNET);

    private BaselineMethods() {}

    /** A baseline: its defaults, the checks of its options, and its builder from resolved options. */
    private static class Baseline<S extends MethodSpec> extends MethodPart<S> {
        private final UnaryOperator<S> defaults;
        private final BiConsumer<S, SpecProblems> check;
        private final Function<S, CilMethod> build;

        Baseline(
                String name,
                String description,
                Class<S> specType,
                UnaryOperator<S> defaults,
                BiConsumer<S, SpecProblems> check,
                Function<S, CilMethod> build) {
            super(name, description, specType);
            this.defaults = defaults;
            this.check = check;
            this.build = build;
        }

        @Override
        public S resolve(S given, ExperimentSpec run) {
            return defaults.apply(given);
        }

        @Override
        public CilMethod create(S spec) {
            return build.apply(resolve(spec, null));
        }

        @Override
        public void check(S given, ExperimentSpec run, SpecProblems problems) {
            check.accept(given, problems);
        }
    }

    private static void checkDistillation(Double temperature, Double weight, SpecProblems problems) {
        problems.positive("method.temperature", temperature);
        problems.nonNegative("method.distillationWeight", weight);
    }

    private static BiFunction<Integer, Integer, List<LossTerm>> classificationOnly() {
        return (oldClasses, newClasses) -> List.of(CROSS_ENTROPY);
    }

    private static BiFunction<Integer, Integer, List<LossTerm>> sigmoidDistillation() {
        SigmoidDistillationLoss loss = new SigmoidDistillationLoss();
        return (oldClasses, newClasses) -> List.of(loss);
    }

    private static CilMethod finetune(FinetuneSpec spec) {
        LossTerm newLogitsOnly = new CrossEntropyLoss(true);
        return new CilMethod(
                "finetune",
                "Fine-tuning on each phase's classes only: the lower bound.",
                TrainingData.NEW_CLASSES,
                false,
                ClassifierRule.CNN,
                null,
                false,
                spec.loss().equals(FinetuneSpec.NEW_ONLY)
                        ? (oldClasses, newClasses) -> List.of(oldClasses == 0 ? CROSS_ENTROPY : newLogitsOnly)
                        : classificationOnly(),
                List.of());
    }

    private static CilMethod lwf(LwfSpec options, boolean withMemory) {
        double temperature = options.temperature();
        double weight = options.distillationWeight();
        LossTerm classification = withMemory ? CROSS_ENTROPY : new CrossEntropyLoss(true);
        return new CilMethod(
                "lwf",
                withMemory
                        ? "LwF (Li & Hoiem 2016) rehearsing an exemplar memory."
                        : "LwF (Li & Hoiem 2016): distillation from the previous model, no exemplars.",
                withMemory ? TrainingData.NEW_CLASSES_AND_EXEMPLARS : TrainingData.NEW_CLASSES,
                withMemory,
                ClassifierRule.CNN,
                null,
                false,
                (oldClasses, newClasses) -> oldClasses == 0
                        ? List.of(CROSS_ENTROPY)
                        : List.of(classification, new KnowledgeDistillationLoss(temperature, weight)),
                List.of());
    }

    private static CilMethod icarl(IcarlSpec options) {
        double temperature = options.temperature();
        double weight = options.distillationWeight();
        return new CilMethod(
                "icarl",
                "iCaRL (Rebuffi et al. 2017): distillation, herding exemplars, nearest-mean-of-exemplars classifier.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                true,
                ClassifierRule.NME,
                null,
                false,
                (oldClasses, newClasses) -> oldClasses == 0
                        ? List.of(CROSS_ENTROPY)
                        : List.of(CROSS_ENTROPY, new KnowledgeDistillationLoss(temperature, weight)),
                List.of());
    }

    private static CilMethod bic(BicSpec options) {
        double temperature = options.temperature();
        double fraction = options.biasValidationFraction();
        int epochs = options.biasEpochs();
        return new CilMethod(
                "bic",
                "BiC (Wu et al. 2019): distillation plus a bias-correction layer fitted on held-out exemplars.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                true,
                ClassifierRule.CNN,
                null,
                true,
                (oldClasses, newClasses) -> {
                    if (oldClasses == 0) {
                        return List.of(CROSS_ENTROPY);
                    }
                    double lambda = (double) oldClasses / (oldClasses + newClasses);
                    return List.of(
                            new WeightedLoss(CROSS_ENTROPY, 1 - lambda),
                            new KnowledgeDistillationLoss(temperature, lambda));
                },
                List.of(new BiasCorrectionStage(fraction, epochs)));
    }

    private static CilMethod lucir(LucirSpec options) {
        double lambdaBase = options.lambdaBase();
        double margin = options.margin();
        int k = options.hardNegatives();
        int finetuneEpochs = options.balancedFinetuneEpochs();
        List<PhaseHook> hooks = finetuneEpochs > 0
                ? List.of(
                        new WeightImprinting(),
                        new FreezeOldClassifier(),
                        ClassBalancedFinetuning.lucir(finetuneEpochs, CROSS_ENTROPY))
                : List.of(new WeightImprinting(), new FreezeOldClassifier());
        return new CilMethod(
                "lucir",
                "LUCIR (Hou et al. 2019): cosine head, less-forget constraint, margin ranking loss.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                true,
                ClassifierRule.CNN,
                HeadType.COSINE,
                false,
                (oldClasses, newClasses) -> oldClasses == 0
                        ? List.of(CROSS_ENTROPY)
                        : List.of(
                                CROSS_ENTROPY,
                                LessForgetLoss.adaptive(lambdaBase, oldClasses, newClasses),
                                new MarginRankingLoss(margin, k, 1.0)),
                hooks);
    }

    private static CilMethod podnet(PodnetSpec options) {
        double spatial = options.podSpatialWeight();
        double flat = options.podFlatWeight();
        double margin = options.margin();
        int finetuneEpochs = options.balancedFinetuneEpochs();
        NcaLoss nca = new NcaLoss(margin, false);
        // the old classes' proxies stay fixed, as in PODNet's code (old_weights: 0) and PyCIL (fc1 at lr 0)
        List<PhaseHook> hooks = new ArrayList<>();
        if (options.proxiesPerClass() != null) {
            hooks.add(new ProxiesPerClass(options.proxiesPerClass()));
        }
        hooks.add(new FreezeOldClassifier());
        if (finetuneEpochs > 0) {
            hooks.add(ClassBalancedFinetuning.podnet(finetuneEpochs, nca));
        }
        return new CilMethod(
                "podnet",
                "PODNet (Douillard et al. 2020): pooled-output distillation, local similarity classifier.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                true,
                ClassifierRule.CNN,
                HeadType.LSC,
                false,
                (oldClasses, newClasses) -> {
                    if (oldClasses == 0) {
                        return List.of(nca);
                    }
                    double factor = Math.sqrt((double) (oldClasses + newClasses) / newClasses);
                    return List.of(nca, new PodSpatialLoss(spatial * factor), new PodFlatLoss(flat * factor));
                },
                hooks);
    }

    /** The local similarity classifier's proxies per class, in every network a PODNet run builds. */
    private record ProxiesPerClass(int proxies) implements PhaseHook, NetworkHook {
        @Override
        public void shapeHead(IncrementalNet.Builder builder) {
            builder.optProxiesPerClass(proxies);
        }
    }

    private static <T> T or(T given, T fallback) {
        return given != null ? given : fallback;
    }
}
