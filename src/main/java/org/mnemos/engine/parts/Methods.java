package org.mnemos.engine.parts;

import java.util.List;
import java.util.function.BiFunction;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.parts.memory.MemoryUpdate;
import org.mnemos.engine.parts.method.baseline.BiasCorrectionStage;
import org.mnemos.engine.parts.method.baseline.ClassBalancedFinetuning;
import org.mnemos.engine.parts.method.baseline.FreezeOldClassifier;
import org.mnemos.engine.parts.method.baseline.WeightImprinting;
import org.mnemos.engine.parts.method.dfcil.DreamingHook;
import org.mnemos.engine.parts.method.dfcil.InversionOptions;
import org.mnemos.engine.parts.method.foster.FosterStages;
import org.mnemos.engine.parts.model.aanets.AggregationWeightLearning;
import org.mnemos.engine.parts.model.scaled.ScaledKernelsStart;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.TrainingData;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.phase.loss.DetachedHeadCrossEntropy;
import org.mnemos.engine.phase.loss.ImportanceWeightedFeatureDistillation;
import org.mnemos.engine.phase.loss.KnowledgeDistillationLoss;
import org.mnemos.engine.phase.loss.LessForgetLoss;
import org.mnemos.engine.phase.loss.LocalCrossEntropy;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.MarginRankingLoss;
import org.mnemos.engine.phase.loss.NcaLoss;
import org.mnemos.engine.phase.loss.PodFlatLoss;
import org.mnemos.engine.phase.loss.PodSpatialLoss;
import org.mnemos.engine.phase.loss.RealRows;
import org.mnemos.engine.phase.loss.ReplayDistillation;
import org.mnemos.engine.phase.loss.SigmoidDistillationLoss;
import org.mnemos.engine.phase.loss.WeightedLoss;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FinetuneSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.InversionSpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;

/**
 * Every method the engine runs, each spelled out as its parts: training data, loss terms,
 * classifier rule, head and hooks. Defaults follow the original papers' code (PyCIL for LwF, iCaRL
 * and BiC; LUCIR's and PODNet's own repositories).
 */
public final class Methods {

    public static final List<String> NAMES =
            List.of("finetune", "joint", "replay", "lwf", "icarl", "bic", "lucir", "podnet", "foster", "lwf-mc", "deepinversion", "abd");

    /** The data-free methods: they dream their replay by model inversion and take no exemplar memory at all. */
    public static final List<String> DATA_FREE = List.of("deepinversion", "abd");

    private static final CrossEntropyLoss CROSS_ENTROPY = new CrossEntropyLoss(false);

    private Methods() {}

    public static CilMethod create(MethodSpec spec) {
        String name = spec == null || spec.name() == null ? null : spec.name();
        if (name == null) {
            throw new SpecException("method.name", "is required; allowed: " + NAMES);
        }
        rejectForeignOptions(spec);
        return switch (name) {
            case "finetune" -> finetune(spec);
            case "joint" -> new CilMethod(name, "Training on every image of every class seen so far: the upper bound.",
                    TrainingData.ALL_SEEN_CLASSES, false, ClassifierRule.CNN, null, false,
                    classificationOnly(), List.of());
            case "replay" -> new CilMethod(name, "Rehearsal of an exemplar memory alongside the new classes.",
                    TrainingData.NEW_CLASSES_AND_EXEMPLARS, true, ClassifierRule.CNN, null, false,
                    classificationOnly(), List.of());
            case "lwf" -> lwf(spec, false);
            case "icarl" -> icarl(spec);
            case "bic" -> bic(spec);
            case "lucir" -> lucir(spec);
            case "podnet" -> podnet(spec);
            case "foster" -> foster(spec);
            case "lwf-mc" -> lwfMc();
            case "deepinversion" -> deepInversion(spec);
            case "abd" -> abd(spec);
            default -> {
                CilMethod registered = Parts.registered(name, spec);
                if (registered == null) {
                    throw new SpecException("method.name", "unknown method '" + name + "'; allowed: " + Parts.methodNames());
                }
                yield registered;
            }
        };
    }

    /**
     * Fresh hooks the model adds to {@code method} for one phase: with AANets, the learning of the
     * aggregation weights on a class-balanced set, with the method's classification loss (the
     * first term of its objective). AANets needs exemplars for that set. With scaled kernels, the
     * start of phase 1's scaled network from phase 0's.
     */
    public static List<PhaseHook> modelHooks(CilMethod method, ModelSpec model) {
        if (model != null && model.scalesKernels()) {
            return List.of(new ScaledKernelsStart());
        }
        if (model == null || !(model.aggregation() instanceof AanetsSpec aanets)) {
            return List.of();
        }
        if (!method.keepsExemplars()) {
            throw new SpecException("model.aggregation", "AANets learns its aggregation weights on exemplars; method '"
                    + method.name() + "' keeps none");
        }
        return List.of(new AggregationWeightLearning(aanets, method));
    }

    /** The {@link MethodSpec} options each method reads; any other option set is a spec error. */
    public static final java.util.Map<String, List<String>> OPTIONS = java.util.Map.ofEntries(
            java.util.Map.entry("finetune", List.of("finetune")),
            java.util.Map.entry("joint", List.of()),
            java.util.Map.entry("replay", List.of()),
            java.util.Map.entry("lwf", List.of("temperature", "distillationWeight")),
            java.util.Map.entry("icarl", List.of("temperature", "distillationWeight")),
            java.util.Map.entry("bic", List.of("temperature", "biasValidationFraction", "biasEpochs")),
            java.util.Map.entry("lucir", List.of("lambdaBase", "margin", "hardNegatives", "balancedFinetuneEpochs")),
            java.util.Map.entry("podnet", List.of("podSpatialWeight", "podFlatWeight", "margin", "proxiesPerClass", "balancedFinetuneEpochs")),
            java.util.Map.entry("foster", List.of("foster")),
            java.util.Map.entry("lwf-mc", List.of()),
            java.util.Map.entry("deepinversion", List.of("temperature", "deepinversion")),
            java.util.Map.entry("abd", List.of("abd")));

    private static void rejectForeignOptions(MethodSpec spec) {
        List<String> allowed = OPTIONS.get(spec.name());
        if (allowed == null) {
            return;
        }
        for (var component : MethodSpec.class.getRecordComponents()) {
            String option = component.getName();
            if (option.equals("name") || allowed.contains(option)) {
                continue;
            }
            Object value;
            try {
                value = component.getAccessor().invoke(spec);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (value != null) {
                throw new SpecException("method." + option, "does not apply to " + spec.name()
                        + (allowed.isEmpty() ? ", which takes no options" : "; its options are " + allowed));
            }
        }
    }

    private static BiFunction<Integer, Integer, List<LossTerm>> classificationOnly() {
        return (oldClasses, newClasses) -> List.of(CROSS_ENTROPY);
    }

    /**
     * Fine-tuning on each phase's classes only. Its cross-entropy covers every seen class's logit by
     * default (the lower bound: nothing holds the old classes up); {@code newOnly} restricts it to the
     * new classes' logits once there are old ones, as PyCIL's {@code models/finetune.py}, which leaves
     * the old logits untouched by the loss.
     */
    private static CilMethod finetune(MethodSpec spec) {
        String loss = spec.finetune() == null || spec.finetune().loss() == null ? FinetuneSpec.ALL_SEEN : spec.finetune().loss();
        if (!FinetuneSpec.LOSSES.contains(loss)) {
            throw new SpecException("method.finetune.loss", "must be one of " + FinetuneSpec.LOSSES + ", was '" + loss + "'");
        }
        LossTerm newLogitsOnly = new CrossEntropyLoss(true);
        return new CilMethod("finetune", "Fine-tuning on each phase's classes only: the lower bound.",
                TrainingData.NEW_CLASSES, false, ClassifierRule.CNN, null, false,
                loss.equals(FinetuneSpec.NEW_ONLY)
                        ? (oldClasses, newClasses) -> List.of(oldClasses == 0 ? CROSS_ENTROPY : newLogitsOnly)
                        : classificationOnly(),
                List.of());
    }

    /**
     * Li & Hoiem 2016 as in PyCIL: CE on the new classes' logits + 3·KD(T=2) on the old ones. Given an
     * exemplar memory, as the mnemonics paper runs it, LwF trains on the new classes and the
     * exemplars with CE over every seen class (an exemplar's label is an old class, outside the new
     * logits) and the same KD, classified by the network's output.
     */
    private static CilMethod lwf(MethodSpec spec, boolean withMemory) {
        MethodSpec options = withBaselineDefaults(spec, "lwf");
        double temperature = options.temperature();
        double weight = options.distillationWeight();
        LossTerm classification = withMemory ? CROSS_ENTROPY : new CrossEntropyLoss(true);
        return new CilMethod("lwf", withMemory ? "LwF (Li & Hoiem 2016) rehearsing an exemplar memory."
                        : "LwF (Li & Hoiem 2016): distillation from the previous model, no exemplars.",
                withMemory ? TrainingData.NEW_CLASSES_AND_EXEMPLARS : TrainingData.NEW_CLASSES, withMemory,
                ClassifierRule.CNN, null, false,
                (oldClasses, newClasses) -> oldClasses == 0
                        ? List.of(CROSS_ENTROPY)
                        : List.of(classification, new KnowledgeDistillationLoss(temperature, weight)),
                List.of());
    }

    /**
     * Every part of a run for one phase, composed: the method, the model's hooks after its own, and
     * the exemplar memory where the method keeps one. Fresh hook instances: a composition serves one phase.
     */
    public static CilMethod compose(ExperimentSpec spec) {
        CilMethod method = forRun(spec);
        return method.withParts(modelHooks(method, spec.model()), method.keepsExemplars() ? MemoryUpdate.of(spec.memory()) : null);
    }

    /** The methods that keep exemplars only when the spec gives them a memory. */
    public static final List<String> OPTIONAL_MEMORY = List.of("lwf");

    /** The method a run executes: {@link #create}, with the memory variant when an optional memory is given. */
    public static CilMethod forRun(ExperimentSpec spec) {
        if (OPTIONAL_MEMORY.contains(spec.method().name()) && spec.memory() != null) {
            return lwf(spec.method(), true);
        }
        return create(spec.method());
    }

    /** Rebuffi et al. 2017 as in PyCIL: CE + KD(T=2), herding memory, nearest-mean-of-exemplars. */
    private static CilMethod icarl(MethodSpec spec) {
        MethodSpec options = withBaselineDefaults(spec, "icarl");
        double temperature = options.temperature();
        double weight = options.distillationWeight();
        return new CilMethod("icarl", "iCaRL (Rebuffi et al. 2017): distillation, herding exemplars, nearest-mean-of-exemplars classifier.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS, true, ClassifierRule.NME, null, false,
                (oldClasses, newClasses) -> oldClasses == 0
                        ? List.of(CROSS_ENTROPY)
                        : List.of(CROSS_ENTROPY, new KnowledgeDistillationLoss(temperature, weight)),
                List.of());
    }

    /**
     * Wu et al. 2019: (1−λ)·CE + λ·KD with λ = old/seen, then a bias-correction layer on the new
     * classes' logits trained on a held-out part of the exemplars (and as many new images per class).
     */
    private static CilMethod bic(MethodSpec spec) {
        MethodSpec options = withBaselineDefaults(spec, "bic");
        double temperature = options.temperature();
        double fraction = options.biasValidationFraction();
        int epochs = options.biasEpochs();
        return new CilMethod("bic", "BiC (Wu et al. 2019): distillation plus a bias-correction layer fitted on held-out exemplars.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS, true, ClassifierRule.CNN, null, true,
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

    /**
     * Hou et al. 2019: cosine head with imprinted new weights and fixed old ones, CE on scaled cosines, less-forget
     * constraint λ_base·√(old/new) (λ_base 5), margin ranking (m 0.5, K 2), optional class-balanced
     * finetuning.
     */
    private static CilMethod lucir(MethodSpec spec) {
        MethodSpec options = withBaselineDefaults(spec, "lucir");
        double lambdaBase = options.lambdaBase();
        double margin = options.margin();
        int k = options.hardNegatives();
        int finetuneEpochs = options.balancedFinetuneEpochs();
        List<PhaseHook> hooks = finetuneEpochs > 0
                ? List.of(new WeightImprinting(), new FreezeOldClassifier(),
                        ClassBalancedFinetuning.lucir(finetuneEpochs, CROSS_ENTROPY))
                : List.of(new WeightImprinting(), new FreezeOldClassifier());
        return new CilMethod("lucir", "LUCIR (Hou et al. 2019): cosine head, less-forget constraint, margin ranking loss.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS, true, ClassifierRule.CNN, HeadType.COSINE, false,
                (oldClasses, newClasses) -> oldClasses == 0
                        ? List.of(CROSS_ENTROPY)
                        : List.of(
                                CROSS_ENTROPY,
                                LessForgetLoss.adaptive(lambdaBase, oldClasses, newClasses),
                                new MarginRankingLoss(margin, k, 1.0)),
                hooks);
    }

    /**
     * Douillard et al. 2020 as PyCIL runs it ({@code models/podnet.py}): local similarity classifier with
     * NCA loss (margin 0.6), POD-spatial over the three stage outputs (λ_c 5) and POD-flat (λ_f 1), both
     * scaled by √(seen/new), the old classes' proxies fixed,
     * class-balanced finetuning of the classifier's weights (20 epochs, lr 0.05 constant in the CIFAR config).
     */
    private static CilMethod podnet(MethodSpec spec) {
        MethodSpec options = withBaselineDefaults(spec, "podnet");
        double spatial = options.podSpatialWeight();
        double flat = options.podFlatWeight();
        double margin = options.margin();
        int finetuneEpochs = options.balancedFinetuneEpochs();
        NcaLoss nca = new NcaLoss(margin, false);
        // the old classes' proxies stay fixed, as in PODNet's code (old_weights: 0) and PyCIL (fc1 at lr 0)
        List<PhaseHook> hooks = finetuneEpochs > 0
                ? List.of(new FreezeOldClassifier(), ClassBalancedFinetuning.podnet(finetuneEpochs, nca))
                : List.of(new FreezeOldClassifier());
        return new CilMethod("podnet", "PODNet (Douillard et al. 2020): pooled-output distillation, local similarity classifier.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS, true, ClassifierRule.CNN, HeadType.LSC, false,
                (oldClasses, newClasses) -> {
                    if (oldClasses == 0) {
                        return List.of(nca);
                    }
                    double factor = Math.sqrt((double) (oldClasses + newClasses) / newClasses);
                    return List.of(nca, new PodSpatialLoss(spatial * factor), new PodFlatLoss(flat * factor));
                },
                hooks);
    }

    /**
     * Wang et al. 2022 as in PyCIL: phase 0 trains one network with CE; every later phase boosts it
     * with a new feature extractor (logit-adjusted CE, the new extractor's own CE, KD from the old
     * model), then compresses the two-extractor teacher into a single-extractor student by balanced
     * distillation. Herding memory, linear head, the teacher's CNN output as the classifier.
     */
    private static CilMethod foster(MethodSpec spec) {
        FosterStages stages = new FosterStages(spec.foster() == null
                ? new FosterSpec(null, null, null, null, null, null, null, null, null, null)
                : spec.foster());
        List<LossTerm> boosting = stages.boostingObjective();
        return new CilMethod("foster", "FOSTER (Wang et al. 2022): feature boosting with a second extractor, then compression into one by balanced distillation.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS, true, ClassifierRule.CNN, HeadType.LINEAR, false,
                (oldClasses, newClasses) -> oldClasses == 0 ? List.of(CROSS_ENTROPY) : boosting,
                List.of(stages));
    }

    /** Whether {@code method} trains a phase network that differs from the one the next phase starts from (FOSTER). */
    public static boolean boostsFeatures(CilMethod method) {
        return method.hooks().stream().anyMatch(FosterStages.class::isInstance);
    }

    /**
     * LwF.MC as in the ABD authors' {@code LWF_MC}: iCaRL's sigmoid classification and distillation
     * without exemplars, classified by the network's output.
     */
    private static CilMethod lwfMc() {
        SigmoidDistillationLoss loss = new SigmoidDistillationLoss();
        return new CilMethod("lwf-mc", "LwF.MC: iCaRL's sigmoid distillation without exemplars.",
                TrainingData.NEW_CLASSES, false, ClassifierRule.CNN, null, false,
                (oldClasses, newClasses) -> List.of(loss),
                List.of());
    }

    /**
     * DeepInversion as the ABD authors' {@code DeepInversionGenBN}: the same generator and inversion
     * as ABD, its dreams replayed with plain logit distillation (T 2, μ 1): CE on the real images
     * over all seen classes, KD of the old logits on the real images, KD towards the previous
     * network's padded scores on the dreams.
     */
    private static CilMethod deepInversion(MethodSpec spec) {
        InversionSpec options = InversionOptions.resolve(spec.deepinversion(), false);
        double temperature = withBaselineDefaults(spec, "deepinversion").temperature();
        return new CilMethod("deepinversion",
                "DeepInversion (Yin et al. 2020) for CIL: a generator inverts the previous model; its images are replayed with logit distillation.",
                TrainingData.NEW_CLASSES, false, ClassifierRule.CNN, HeadType.LINEAR, false,
                (oldClasses, newClasses) -> oldClasses == 0
                        ? List.of(CROSS_ENTROPY)
                        : List.of(new RealRows(CROSS_ENTROPY), new ReplayDistillation(temperature, options.mu())),
                List.of(new DreamingHook(options)));
    }

    /**
     * Always Be Dreaming (Smith et al., ICCV 2021) as in its authors' {@code AlwaysBeDreaming}: a
     * generator inverts the previous model; each step replays as many dreams as real images; local
     * CE on the new logits of the real images, CE of the head on detached features of real and
     * dreamed images, both class-balanced, and importance-weighted feature distillation (μ 0.1).
     */
    private static CilMethod abd(MethodSpec spec) {
        InversionSpec options = InversionOptions.resolve(spec.abd(), true);
        return new CilMethod("abd",
                "Always Be Dreaming (Smith et al. 2021): data-free CIL by model inversion, class-balanced local and head-only CE, importance-weighted feature distillation.",
                TrainingData.NEW_CLASSES, false, ClassifierRule.CNN, HeadType.LINEAR, false,
                (oldClasses, newClasses) -> oldClasses == 0
                        ? List.of(CROSS_ENTROPY)
                        : List.of(new LocalCrossEntropy(), new DetachedHeadCrossEntropy(),
                                new ImportanceWeightedFeatureDistillation(options.mu())),
                List.of(new DreamingHook(options)));
    }

    /**
     * {@code spec} with the defaults of the scalar options {@code method} reads filled in (the values
     * its parts run with), every other field as given: what the resolved spec stores, so that it
     * names every value that ran. PODNet's {@code proxiesPerClass} stays as given (the head's default).
     */
    public static MethodSpec withBaselineDefaults(MethodSpec spec) {
        return spec.name() == null ? spec : withBaselineDefaults(spec, spec.name());
    }

    /** As {@link #withBaselineDefaults(MethodSpec)} with the defaults of {@code method} (LwF's for its memory variant too). */
    private static MethodSpec withBaselineDefaults(MethodSpec s, String method) {
        return switch (method) {
            case "lwf" -> options(s, 2.0, 3.0, null, null, null, null, null, null, null, null);
            case "icarl" -> options(s, 2.0, 1.0, null, null, null, null, null, null, null, null);
            case "bic" -> options(s, 2.0, null, null, null, null, null, null, 0.1, 50, null);
            case "lucir" -> options(s, null, null, 5.0, 0.5, 2, null, null, null, null, 0);
            case "podnet" -> options(s, null, null, null, 0.6, null, 5.0, 1.0, null, null, 20);
            case "deepinversion" -> options(s, 2.0, null, null, null, null, null, null, null, null, null);
            default -> s;
        };
    }

    /** {@code s} with each null scalar option that has a default (non-null argument) set to it. */
    private static MethodSpec options(MethodSpec s, Double temperature, Double distillationWeight, Double lambdaBase,
            Double margin, Integer hardNegatives, Double podSpatialWeight, Double podFlatWeight, Double biasValidationFraction,
            Integer biasEpochs, Integer balancedFinetuneEpochs) {
        return new MethodSpec(s.name(), or(s.temperature(), temperature), or(s.distillationWeight(), distillationWeight),
                or(s.lambdaBase(), lambdaBase), or(s.margin(), margin), or(s.hardNegatives(), hardNegatives),
                or(s.podSpatialWeight(), podSpatialWeight), or(s.podFlatWeight(), podFlatWeight), s.proxiesPerClass(),
                or(s.biasValidationFraction(), biasValidationFraction), or(s.biasEpochs(), biasEpochs),
                or(s.balancedFinetuneEpochs(), balancedFinetuneEpochs), s.foster(), s.abd(), s.deepinversion(), s.finetune());
    }

    private static <T> T or(T given, T fallback) {
        return given != null ? given : fallback;
    }
}
