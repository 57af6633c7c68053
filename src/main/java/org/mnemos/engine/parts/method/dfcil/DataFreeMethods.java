package org.mnemos.engine.parts.method.dfcil;

import java.util.List;
import java.util.function.BiFunction;
import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.data.DatasetInfo;
import org.mnemos.engine.model.Generator;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.parts.MethodPart;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.phase.TrainingData;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.phase.loss.DetachedHeadCrossEntropy;
import org.mnemos.engine.phase.loss.ImportanceWeightedFeatureDistillation;
import org.mnemos.engine.phase.loss.LocalCrossEntropy;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.RealRows;
import org.mnemos.engine.phase.loss.ReplayDistillation;
import org.mnemos.engine.spec.AbdSpec;
import org.mnemos.engine.spec.DeepInversionSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InversionSpec;
import org.mnemos.engine.spec.MethodSpec;

/**
 * The data-free methods: a generator inverts the previous model and its dreams are replayed; they
 * keep no exemplar memory at all. Their options (flat in {@code method}) are the generator's and
 * the inversion's, and DeepInversion's temperature.
 */
public final class DataFreeMethods {

    private static final CrossEntropyLoss CROSS_ENTROPY = new CrossEntropyLoss(false);
    /** The authors' CIFAR schedule is 10,000 generator steps per phase; ten times that is a mistake. */
    static final int MAX_INVERSION_ITERATIONS = 100_000;

    static final int MAX_LATENT_DIM = 16_384;
    /** DeepInversion's distillation temperature (PyCIL's and the ABD authors' T 2). */
    static final double DEEPINVERSION_TEMPERATURE = 2.0;

    /**
     * DeepInversion as the ABD authors' {@code DeepInversionGenBN}: the same generator and inversion
     * as ABD, its dreams replayed with plain logit distillation (T 2, μ 1): CE on the real images
     * over all seen classes, KD of the old logits on the real images, KD towards the previous
     * network's padded scores on the dreams.
     */
    public static final MethodPart<DeepInversionSpec> DEEPINVERSION =
            new DataFree<>(
                    DeepInversionSpec.NAME,
                    "DeepInversion (Yin et al. 2020) for CIL: a generator inverts the previous model; its images are replayed with logit distillation.",
                    DeepInversionSpec.class) {
                @Override
                InversionSpec inversion(DeepInversionSpec spec) {
                    return InversionOptions.resolve(spec.inversion(), false);
                }

                @Override
                public CilMethod create(DeepInversionSpec spec) {
                    InversionSpec options = inversion(spec);
                    double temperature = spec.temperature() != null ? spec.temperature() : DEEPINVERSION_TEMPERATURE;
                    return method(
                            (oldClasses, newClasses) -> oldClasses == 0
                                    ? List.of(CROSS_ENTROPY)
                                    : List.of(
                                            new RealRows(CROSS_ENTROPY),
                                            new ReplayDistillation(temperature, options.mu())),
                            options);
                }

                /** Every inversion option at its default, and the distillation temperature. */
                @Override
                public DeepInversionSpec resolve(DeepInversionSpec given, ExperimentSpec run) {
                    return DeepInversionSpec.of(
                            given.temperature() != null ? given.temperature() : DEEPINVERSION_TEMPERATURE,
                            inversion(given));
                }

                @Override
                public void check(DeepInversionSpec given, ExperimentSpec run, SpecProblems problems) {
                    problems.positive("method.temperature", given.temperature());
                    checkInversion(given.inversion(), run, problems);
                }
            };

    /**
     * Always Be Dreaming (Smith et al., ICCV 2021) as in its authors' {@code AlwaysBeDreaming}: a
     * generator inverts the previous model; each step replays as many dreams as real images; local
     * CE on the new logits of the real images, CE of the head on detached features of real and
     * dreamed images, both class-balanced, and importance-weighted feature distillation (μ 0.1).
     */
    public static final MethodPart<AbdSpec> ABD =
            new DataFree<>(
                    AbdSpec.NAME,
                    "Always Be Dreaming (Smith et al. 2021): data-free CIL by model inversion, class-balanced local and head-only CE, importance-weighted feature distillation.",
                    AbdSpec.class) {
                @Override
                InversionSpec inversion(AbdSpec spec) {
                    return InversionOptions.resolve(spec.inversion(), true);
                }

                @Override
                public CilMethod create(AbdSpec spec) {
                    InversionSpec options = inversion(spec);
                    return method(
                            (oldClasses, newClasses) -> oldClasses == 0
                                    ? List.of(CROSS_ENTROPY)
                                    : List.of(
                                            new LocalCrossEntropy(),
                                            new DetachedHeadCrossEntropy(),
                                            new ImportanceWeightedFeatureDistillation(options.mu())),
                            options);
                }

                /** Every inversion option at its default. */
                @Override
                public AbdSpec resolve(AbdSpec given, ExperimentSpec run) {
                    return AbdSpec.of(inversion(given));
                }

                @Override
                public void check(AbdSpec given, ExperimentSpec run, SpecProblems problems) {
                    checkInversion(given.inversion(), run, problems);
                }
            };

    public static final List<MethodPart<?>> PARTS = List.of(DEEPINVERSION, ABD);

    private DataFreeMethods() {}

    /** A data-free method: the generator's inversion and dream replay, its own losses. */
    private abstract static class DataFree<S extends MethodSpec> extends MethodPart<S> {

        DataFree(String name, String description, Class<S> specType) {
            super(name, description, specType);
        }

        /** The inversion options of a spec, resolved. */
        abstract InversionSpec inversion(S spec);

        /** The method with {@code losses} and the dreaming hook of {@code options}. */
        CilMethod method(BiFunction<Integer, Integer, List<LossTerm>> losses, InversionSpec options) {
            return new CilMethod(
                    name(),
                    description(),
                    TrainingData.NEW_CLASSES,
                    false,
                    ClassifierRule.CNN,
                    HeadType.LINEAR,
                    false,
                    losses,
                    List.of(new DreamingHook(options)));
        }

        @Override
        public boolean isDataFree() {
            return true;
        }

        /** No memory at all; the generator's and the inversion's options in range. */
        void checkInversion(InversionSpec options, ExperimentSpec run, SpecProblems problems) {
            if (run != null && run.memory() != null) {
                problems.add("memory", name() + " is data-free: it keeps no exemplars at all; leave memory out");
            }
            String path = "method";
            problems.range(path + ".iterations", options.iterations(), 1, MAX_INVERSION_ITERATIONS);
            problems.range(
                    path + ".batchSize",
                    options.batchSize(),
                    2,
                    problems.limits().maxBatchSize());
            problems.range(path + ".latentDim", options.latentDim(), 1, MAX_LATENT_DIM);
            if (options.lr() != null && !(options.lr() > 0 && options.lr() <= 1)) {
                problems.add(path + ".lr", "must be > 0 and <= 1");
            }
            problems.positive(path + ".tau", options.tau());
            problems.nonNegative(path + ".contentWeight", options.contentWeight());
            problems.nonNegative(path + ".bnWeight", options.bnWeight());
            problems.nonNegative(path + ".smoothnessWeight", options.smoothnessWeight());
            problems.nonNegative(path + ".mu", options.mu());
            if (options.sampleMode() != null && !InversionSpec.SAMPLE_MODES.contains(options.sampleMode())) {
                problems.add(path + ".sampleMode", "must be one of " + InversionSpec.SAMPLE_MODES);
            }
            if (options.replayBatchNorm() != null
                    && !InversionSpec.REPLAY_BATCH_NORMS.contains(options.replayBatchNorm())) {
                problems.add(path + ".replayBatchNorm", "must be one of " + InversionSpec.REPLAY_BATCH_NORMS);
            }
        }

        /**
         * The generator with its gradients and Adam moments, carried all run; training replays as many
         * dreams as real images (both models see a doubled batch, and the generator's sampling pass is
         * kept until the step ends); the inversion trains the generator through the frozen network on
         * its own batch, which may peak higher.
         */
        @Override
        public void footprint(S spec, ExperimentSpec run, PeakMemory.Footprint footprint) {
            DatasetInfo info = footprint.info();
            if (!Generator.supports(info.channels(), info.height(), info.width())) {
                return;
            }
            InversionSpec inversion = inversion(spec);
            long floatBytes = PeakMemory.Footprint.FLOAT;
            int side = info.height();
            footprint.addParameterBytes(
                    Generator.parameterCount(info.channels(), side, inversion.latentDim()) * floatBytes * 4);
            long generatorPerImage = Generator.activationsPerImage(info.channels(), side);
            footprint.setActivationBytes(
                    2 * footprint.activationBytes() + (long) (footprint.batch() * generatorPerImage * floatBytes));
            long inversionBytes = (long) (inversion.batchSize()
                    * (generatorPerImage + footprint.activationsPerImage())
                    * floatBytes
                    * PeakMemory.Footprint.BACKWARD_FACTOR);
            footprint.peakAt(inversionBytes, "method.batchSize");
        }
    }
}
