package org.mnemos.engine.parts.method.foster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.parts.MethodPart;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.phase.TrainingData;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FosterSpec;

/**
 * Wang et al. 2022 as in PyCIL: phase 0 trains one network with CE; every later phase boosts it
 * with a new feature extractor (logit-adjusted CE, the new extractor's own CE, KD from the old
 * model), then compresses the two-extractor teacher into a single-extractor student by balanced
 * distillation. Herding memory, linear head, the teacher's CNN output as the classifier.
 */
public final class FosterMethod extends MethodPart<FosterSpec> {

    public static final FosterMethod PART = new FosterMethod();

    static final double DEFAULT_BETA1 = 0.96;
    static final double DEFAULT_BETA2 = 0.97;
    static final double DEFAULT_TEMPERATURE = 2.0;
    static final double DEFAULT_LAMBDA_OKD = 1.0;
    static final int DEFAULT_COMPRESSION_EPOCHS = 130;
    static final double DEFAULT_WA_VALUE = 1.0;

    private static final CrossEntropyLoss CROSS_ENTROPY = new CrossEntropyLoss(false);

    private FosterMethod() {
        super(
                FosterSpec.NAME,
                "FOSTER (Wang et al. 2022): feature boosting with a second extractor, then compression into one by balanced distillation.",
                FosterSpec.class);
    }

    @Override
    public CilMethod create(FosterSpec spec) {
        FosterStages stages = new FosterStages(defaults(spec, spec.compressionLr()));
        List<LossTerm> boosting = stages.boostingObjective();
        return new CilMethod(
                FosterSpec.NAME,
                description(),
                TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                true,
                ClassifierRule.CNN,
                HeadType.LINEAR,
                false,
                (oldClasses, newClasses) -> oldClasses == 0 ? List.of(CROSS_ENTROPY) : boosting,
                List.of(stages));
    }

    /** FOSTER's options with PyCIL's defaults ({@code exps/foster.json}); the compression stage takes the training learning rate unless given one. */
    @Override
    public FosterSpec resolve(FosterSpec given, ExperimentSpec run) {
        return defaults(
                given,
                given.compressionLr() != null
                        ? given.compressionLr()
                        : run.training().optimizer().lr());
    }

    /** {@code s} with every null option at its default, and {@code compressionLr} (null: the phase's training learning rate). */
    private static FosterSpec defaults(FosterSpec s, Double compressionLr) {
        return new FosterSpec(
                FosterSpec.NAME,
                s.beta1() == null ? DEFAULT_BETA1 : s.beta1(),
                s.beta2() == null ? DEFAULT_BETA2 : s.beta2(),
                s.temperature() == null ? DEFAULT_TEMPERATURE : s.temperature(),
                s.lambdaOkd() == null ? DEFAULT_LAMBDA_OKD : s.lambdaOkd(),
                s.compressionEpochs() == null ? DEFAULT_COMPRESSION_EPOCHS : s.compressionEpochs(),
                compressionLr,
                s.isTeacherWa() != null && s.isTeacherWa(),
                s.isStudentWa() != null && s.isStudentWa(),
                s.waValue() == null ? DEFAULT_WA_VALUE : s.waValue(),
                s.oofc() == null ? FosterSpec.OOFC_FINETUNE : s.oofc());
    }

    /** β in (0, 1), positive temperature and learning rate, bounded epochs; no second model part that reshapes the network. */
    @Override
    public void check(FosterSpec foster, ExperimentSpec run, SpecProblems problems) {
        if (run != null && run.model() != null && run.model().aggregation() != null) {
            problems.add(
                    "model.aggregation",
                    "FOSTER grows its own second feature extractor; it does not combine with AANets");
        }
        if (run != null && run.model() != null && run.model().scalesKernels()) {
            problems.add(
                    "model.scaledKernels",
                    "FOSTER grows its own second feature extractor; it does not combine with scaled kernels");
        }
        for (var beta : List.of(
                Map.entry("method.beta1", Optional.ofNullable(foster.beta1())),
                Map.entry("method.beta2", Optional.ofNullable(foster.beta2())))) {
            beta.getValue()
                    .filter(value -> !(value > 0 && value < 1))
                    .ifPresent(value -> problems.add(beta.getKey(), "must lie strictly between 0 and 1, got " + value));
        }
        problems.positive("method.temperature", foster.temperature());
        problems.nonNegative("method.lambdaOkd", foster.lambdaOkd());
        problems.range(
                "method.compressionEpochs",
                foster.compressionEpochs(),
                1,
                problems.limits().maxEpochs());
        if (foster.compressionLr() != null && !(foster.compressionLr() > 0 && foster.compressionLr() <= 10)) {
            problems.add("method.compressionLr", "must lie in (0, 10], got " + foster.compressionLr());
        }
        problems.positive("method.waValue", foster.waValue());
        if (foster.oofc() != null && !foster.oofc().equals(FosterSpec.OOFC_FINETUNE)) {
            problems.add(
                    "method.oofc",
                    "must be 'ft' (PyCIL's 'az', zeroing the new classes' weights on the old"
                            + " features, is not implemented)");
        }
    }

    /** The teacher's frozen old extractor and the student trained beside the teacher; a mask model is the two-extractor teacher. */
    @Override
    public void footprint(FosterSpec spec, ExperimentSpec run, PeakMemory.Footprint footprint) {
        footprint.addParameterBytes(
                footprint.parameters() * PeakMemory.Footprint.FLOAT * (3 + footprint.optimiserCopies()));
        footprint.extractors(2);
    }

    /** Whether {@code method} trains a phase network that differs from the one the next phase starts from. */
    public static boolean boostsFeatures(CilMethod method) {
        return method.hooks().stream().anyMatch(FosterStages.class::isInstance);
    }
}
