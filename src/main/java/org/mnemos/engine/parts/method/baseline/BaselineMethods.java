package org.mnemos.engine.parts.method.baseline;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.parts.MethodPart;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
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
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FinetuneSpec;
import org.mnemos.engine.spec.MethodSpec;

/**
 * The baselines as method parts: the bounds (finetune, joint), rehearsal, and the methods whose
 * options are the scalar fields of {@link MethodSpec}. Defaults follow the original papers' code
 * (PyCIL for LwF, iCaRL and BiC; LUCIR's and PODNet's own repositories).
 */
public final class BaselineMethods {

    private static final CrossEntropyLoss CROSS_ENTROPY = new CrossEntropyLoss(false);

    /**
     * Fine-tuning on each phase's classes only. Its cross-entropy covers every seen class's logit by
     * default (the lower bound: nothing holds the old classes up); {@code newOnly} restricts it to the
     * new classes' logits once there are old ones, as PyCIL's {@code models/finetune.py}, which leaves
     * the old logits untouched by the loss.
     */
    public static final MethodPart FINETUNE =
            new Baseline(
                    "finetune",
                    "Fine-tuning on each phase's classes only: the lower bound.",
                    List.of("finetune"),
                    BaselineMethods::finetuneDefaults,
                    BaselineMethods::finetune) {
                @Override
                protected void checkOptions(MethodSpec given, ExperimentSpec run, SpecProblems problems) {
                    super.checkOptions(given, run, problems);
                    if (given.finetune() != null
                            && given.finetune().loss() != null
                            && !FinetuneSpec.LOSSES.contains(given.finetune().loss())) {
                        problems.add(
                                "method.finetune.loss",
                                "must be one of " + FinetuneSpec.LOSSES + ", was '"
                                        + given.finetune().loss() + "'");
                    }
                }
            };

    public static final MethodPart JOINT = new Baseline(
            "joint",
            "Training on every image of every class seen so far: the upper bound.",
            List.of(),
            UnaryOperator.identity(),
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

    public static final MethodPart REPLAY = new Baseline(
            "replay",
            "Rehearsal of an exemplar memory alongside the new classes.",
            List.of(),
            UnaryOperator.identity(),
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
    public static final MethodPart LWF =
            new Baseline(
                    "lwf",
                    "LwF (Li & Hoiem 2016): distillation from the previous model, no exemplars.",
                    List.of("temperature", "distillationWeight"),
                    s -> options(s, 2.0, 3.0, null, null, null, null, null, null, null, null),
                    spec -> lwf(spec, false)) {
                @Override
                public CilMethod forRun(MethodSpec spec, ExperimentSpec run) {
                    return lwf(resolve(spec, run), run.memory() != null);
                }

                @Override
                public boolean takesOptionalMemory() {
                    return true;
                }
            };

    /** Rebuffi et al. 2017 as in PyCIL: CE + KD(T=2), herding memory, nearest-mean-of-exemplars. */
    public static final MethodPart ICARL = new Baseline(
            "icarl",
            "iCaRL (Rebuffi et al. 2017): distillation, herding exemplars, nearest-mean-of-exemplars classifier.",
            List.of("temperature", "distillationWeight"),
            s -> options(s, 2.0, 1.0, null, null, null, null, null, null, null, null),
            BaselineMethods::icarl);

    /**
     * Wu et al. 2019: (1−λ)·CE + λ·KD with λ = old/seen, then a bias-correction layer on the new
     * classes' logits trained on a held-out part of the exemplars (and as many new images per class).
     */
    public static final MethodPart BIC = new Baseline(
            "bic",
            "BiC (Wu et al. 2019): distillation plus a bias-correction layer fitted on held-out exemplars.",
            List.of("temperature", "biasValidationFraction", "biasEpochs"),
            s -> options(s, 2.0, null, null, null, null, null, null, 0.1, 50, null),
            BaselineMethods::bic);

    /**
     * Hou et al. 2019: cosine head with imprinted new weights and fixed old ones, CE on scaled cosines, less-forget
     * constraint λ_base·√(old/new) (λ_base 5), margin ranking (m 0.5, K 2), optional class-balanced
     * finetuning.
     */
    public static final MethodPart LUCIR = new Baseline(
            "lucir",
            "LUCIR (Hou et al. 2019): cosine head, less-forget constraint, margin ranking loss.",
            List.of("lambdaBase", "margin", "hardNegatives", "balancedFinetuneEpochs"),
            s -> options(s, null, null, 5.0, 0.5, 2, null, null, null, null, 0),
            BaselineMethods::lucir);

    /**
     * Douillard et al. 2020 as PyCIL runs it ({@code models/podnet.py}): local similarity classifier with
     * NCA loss (margin 0.6), POD-spatial over the three stage outputs (λ_c 5) and POD-flat (λ_f 1), both
     * scaled by √(seen/new), the old classes' proxies fixed, class-balanced finetuning of the
     * classifier's weights (20 epochs, lr 0.05 constant in the CIFAR config). {@code proxiesPerClass}
     * stays as given (the head's default).
     */
    public static final MethodPart PODNET = new Baseline(
            "podnet",
            "PODNet (Douillard et al. 2020): pooled-output distillation, local similarity classifier.",
            List.of("podSpatialWeight", "podFlatWeight", "margin", "proxiesPerClass", "balancedFinetuneEpochs"),
            s -> options(s, null, null, null, 0.6, null, 5.0, 1.0, null, null, 20),
            BaselineMethods::podnet);

    /**
     * LwF.MC as in the ABD authors' {@code LWF_MC}: iCaRL's sigmoid classification and distillation
     * without exemplars, classified by the network's output.
     */
    public static final MethodPart LWF_MC = new Baseline(
            "lwf-mc",
            "LwF.MC: iCaRL's sigmoid distillation without exemplars.",
            List.of(),
            UnaryOperator.identity(),
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
    public static final List<MethodPart> BEFORE_FOSTER =
            List.of(FINETUNE, JOINT, REPLAY, LWF, ICARL, BIC, LUCIR, PODNET);

    private BaselineMethods() {}

    /** A baseline: its defaults, its builder from resolved options, and the checks of the scalar options. */
    private static class Baseline extends MethodPart {
        private final UnaryOperator<MethodSpec> defaults;
        private final Function<MethodSpec, CilMethod> build;

        Baseline(
                String name,
                String description,
                List<String> options,
                UnaryOperator<MethodSpec> defaults,
                Function<MethodSpec, CilMethod> build) {
            super(name, description, options);
            this.defaults = defaults;
            this.build = build;
        }

        @Override
        public MethodSpec resolve(MethodSpec given, ExperimentSpec run) {
            return defaults.apply(given);
        }

        @Override
        public CilMethod create(MethodSpec spec) {
            return build.apply(resolve(spec, null));
        }

        @Override
        protected void checkOptions(MethodSpec given, ExperimentSpec run, SpecProblems problems) {
            checkScalars(given, problems);
        }
    }

    /** The ranges of the scalar options (any method's: one of another method is also reported as not applying). */
    public static void checkScalars(MethodSpec method, SpecProblems problems) {
        int maxEpochs = problems.limits().maxEpochs();
        problems.positive("method.temperature", method.temperature());
        problems.nonNegative("method.distillationWeight", method.distillationWeight());
        problems.nonNegative("method.lambdaBase", method.lambdaBase());
        problems.nonNegative("method.margin", method.margin());
        problems.range("method.hardNegatives", method.hardNegatives(), 1, 1000);
        problems.nonNegative("method.podSpatialWeight", method.podSpatialWeight());
        problems.nonNegative("method.podFlatWeight", method.podFlatWeight());
        problems.range("method.proxiesPerClass", method.proxiesPerClass(), 1, 100);
        if (method.biasValidationFraction() != null
                && !(method.biasValidationFraction() > 0 && method.biasValidationFraction() < 1)) {
            problems.add("method.biasValidationFraction", "must be strictly between 0 and 1");
        }
        problems.range("method.biasEpochs", method.biasEpochs(), 0, maxEpochs);
        problems.range("method.balancedFinetuneEpochs", method.balancedFinetuneEpochs(), 0, maxEpochs);
    }

    private static BiFunction<Integer, Integer, List<LossTerm>> classificationOnly() {
        return (oldClasses, newClasses) -> List.of(CROSS_ENTROPY);
    }

    private static BiFunction<Integer, Integer, List<LossTerm>> sigmoidDistillation() {
        SigmoidDistillationLoss loss = new SigmoidDistillationLoss();
        return (oldClasses, newClasses) -> List.of(loss);
    }

    private static MethodSpec finetuneDefaults(MethodSpec m) {
        FinetuneSpec finetune = (m.finetune() == null ? new FinetuneSpec(null) : m.finetune()).resolved();
        return new MethodSpec(
                m.name(),
                m.temperature(),
                m.distillationWeight(),
                m.lambdaBase(),
                m.margin(),
                m.hardNegatives(),
                m.podSpatialWeight(),
                m.podFlatWeight(),
                m.proxiesPerClass(),
                m.biasValidationFraction(),
                m.biasEpochs(),
                m.balancedFinetuneEpochs(),
                m.foster(),
                m.abd(),
                m.deepinversion(),
                finetune);
    }

    private static CilMethod finetune(MethodSpec spec) {
        LossTerm newLogitsOnly = new CrossEntropyLoss(true);
        return new CilMethod(
                "finetune",
                "Fine-tuning on each phase's classes only: the lower bound.",
                TrainingData.NEW_CLASSES,
                false,
                ClassifierRule.CNN,
                null,
                false,
                spec.finetune().loss().equals(FinetuneSpec.NEW_ONLY)
                        ? (oldClasses, newClasses) -> List.of(oldClasses == 0 ? CROSS_ENTROPY : newLogitsOnly)
                        : classificationOnly(),
                List.of());
    }

    private static CilMethod lwf(MethodSpec options, boolean withMemory) {
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

    private static CilMethod icarl(MethodSpec options) {
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

    private static CilMethod bic(MethodSpec options) {
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

    private static CilMethod lucir(MethodSpec options) {
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

    private static CilMethod podnet(MethodSpec options) {
        double spatial = options.podSpatialWeight();
        double flat = options.podFlatWeight();
        double margin = options.margin();
        int finetuneEpochs = options.balancedFinetuneEpochs();
        NcaLoss nca = new NcaLoss(margin, false);
        // the old classes' proxies stay fixed, as in PODNet's code (old_weights: 0) and PyCIL (fc1 at lr 0)
        List<PhaseHook> hooks = finetuneEpochs > 0
                ? List.of(new FreezeOldClassifier(), ClassBalancedFinetuning.podnet(finetuneEpochs, nca))
                : List.of(new FreezeOldClassifier());
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

    /** {@code s} with each null scalar option that has a default (non-null argument) set to it. */
    private static MethodSpec options(
            MethodSpec s,
            Double temperature,
            Double distillationWeight,
            Double lambdaBase,
            Double margin,
            Integer hardNegatives,
            Double podSpatialWeight,
            Double podFlatWeight,
            Double biasValidationFraction,
            Integer biasEpochs,
            Integer balancedFinetuneEpochs) {
        return new MethodSpec(
                s.name(),
                or(s.temperature(), temperature),
                or(s.distillationWeight(), distillationWeight),
                or(s.lambdaBase(), lambdaBase),
                or(s.margin(), margin),
                or(s.hardNegatives(), hardNegatives),
                or(s.podSpatialWeight(), podSpatialWeight),
                or(s.podFlatWeight(), podFlatWeight),
                s.proxiesPerClass(),
                or(s.biasValidationFraction(), biasValidationFraction),
                or(s.biasEpochs(), biasEpochs),
                or(s.balancedFinetuneEpochs(), balancedFinetuneEpochs),
                s.foster(),
                s.abd(),
                s.deepinversion(),
                s.finetune());
    }

    private static <T> T or(T given, T fallback) {
        return given != null ? given : fallback;
    }
}
