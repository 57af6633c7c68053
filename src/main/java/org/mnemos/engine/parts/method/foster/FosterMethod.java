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
import org.mnemos.engine.spec.MethodSpec;

/**
 * Wang et al. 2022 as in PyCIL: phase 0 trains one network with CE; every later phase boosts it
 * with a new feature extractor (logit-adjusted CE, the new extractor's own CE, KD from the old
 * model), then compresses the two-extractor teacher into a single-extractor student by balanced
 * distillation. Herding memory, linear head, the teacher's CNN output as the classifier.
 */
public final class FosterMethod extends MethodPart {

    public static final FosterMethod PART = new FosterMethod();

    private static final CrossEntropyLoss CROSS_ENTROPY = new CrossEntropyLoss(false);
    private static final String NAME = "foster";

    private FosterMethod() {
        super(
                NAME,
                "FOSTER (Wang et al. 2022): feature boosting with a second extractor, then compression into one by balanced distillation.",
                List.of("foster"));
    }

    @Override
    public CilMethod create(MethodSpec spec) {
        FosterStages stages = new FosterStages(
                spec.foster() == null
                        ? new FosterSpec(null, null, null, null, null, null, null, null, null, null)
                        : spec.foster());
        List<LossTerm> boosting = stages.boostingObjective();
        return new CilMethod(
                NAME,
                description(),
                TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                true,
                ClassifierRule.CNN,
                HeadType.LINEAR,
                false,
                (oldClasses, newClasses) -> oldClasses == 0 ? List.of(CROSS_ENTROPY) : boosting,
                List.of(stages));
    }

    /** FOSTER's options with PyCIL's defaults; the compression stage takes the training learning rate unless given one. */
    @Override
    public MethodSpec resolve(MethodSpec m, ExperimentSpec run) {
        FosterSpec foster = (m.foster() == null
                        ? new FosterSpec(null, null, null, null, null, null, null, null, null, null)
                        : m.foster())
                .resolved();
        if (foster.compressionLr() == null) {
            foster = new FosterSpec(
                    foster.beta1(),
                    foster.beta2(),
                    foster.temperature(),
                    foster.lambdaOkd(),
                    foster.compressionEpochs(),
                    run.training().optimizer().lr(),
                    foster.isTeacherWa(),
                    foster.isStudentWa(),
                    foster.waValue(),
                    foster.oofc());
        }
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
                foster,
                m.abd(),
                m.deepinversion(),
                m.finetune());
    }

    /** β in (0, 1), positive temperature and learning rate, bounded epochs; no second model part that reshapes the network. */
    @Override
    protected void checkOptions(MethodSpec given, ExperimentSpec run, SpecProblems problems) {
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
        FosterSpec foster = given.foster();
        if (foster == null) {
            return;
        }
        for (var beta : List.of(
                Map.entry("method.foster.beta1", Optional.ofNullable(foster.beta1())),
                Map.entry("method.foster.beta2", Optional.ofNullable(foster.beta2())))) {
            beta.getValue()
                    .filter(value -> !(value > 0 && value < 1))
                    .ifPresent(value -> problems.add(beta.getKey(), "must lie strictly between 0 and 1, got " + value));
        }
        problems.positive("method.foster.temperature", foster.temperature());
        problems.nonNegative("method.foster.lambdaOkd", foster.lambdaOkd());
        problems.range(
                "method.foster.compressionEpochs",
                foster.compressionEpochs(),
                1,
                problems.limits().maxEpochs());
        if (foster.compressionLr() != null && !(foster.compressionLr() > 0 && foster.compressionLr() <= 10)) {
            problems.add("method.foster.compressionLr", "must lie in (0, 10], got " + foster.compressionLr());
        }
        problems.positive("method.foster.waValue", foster.waValue());
        if (foster.oofc() != null && !foster.oofc().equals(FosterSpec.OOFC_FINETUNE)) {
            problems.add(
                    "method.foster.oofc",
                    "must be 'ft' (PyCIL's 'az', zeroing the new classes' weights on the old"
                            + " features, is not implemented)");
        }
    }

    /** The teacher's frozen old extractor and the student trained beside the teacher; a mask model is the two-extractor teacher. */
    @Override
    public void footprint(MethodSpec spec, ExperimentSpec run, PeakMemory.Footprint footprint) {
        footprint.addParameterBytes(
                footprint.parameters() * PeakMemory.Footprint.FLOAT * (3 + footprint.optimiserCopies()));
        footprint.extractors(2);
    }

    /** Whether {@code method} trains a phase network that differs from the one the next phase starts from. */
    public static boolean boostsFeatures(CilMethod method) {
        return method.hooks().stream().anyMatch(FosterStages.class::isInstance);
    }
}
