package org.mnemos.engine.parts.method.foster;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.Initializer;
import java.util.List;
import java.util.function.Supplier;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.metrics.Predictions;
import org.mnemos.engine.model.Backbone;
import org.mnemos.engine.model.Backbones;
import org.mnemos.engine.model.BoostedBackbone;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.phase.Evaluator;
import org.mnemos.engine.phase.NetworkHook;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;
import org.mnemos.engine.phase.TrainingStage;
import org.mnemos.engine.phase.loss.BalancedDistillationLoss;
import org.mnemos.engine.phase.loss.LogitAdjustedCrossEntropy;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.NewExtractorCrossEntropy;
import org.mnemos.engine.phase.loss.OldHeadDistillation;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.util.PhaseRandom;

/**
 * FOSTER's two stages of every phase after the first (Wang et al., ECCV 2022, as PyCIL's
 * {@code models/foster.py} runs them).
 *
 * <p><b>Boosting</b> is the phase's main stage, on a network whose backbone is a
 * {@link BoostedBackbone} (the previous phase's extractor, frozen, next to a new one that starts
 * from it) and whose linear head reads both: the old classes' weights on the old features start
 * from the previous head, the rest is freshly initialised. Its objective is the logit-adjusted
 * cross-entropy (per-class weights from the effective number of samples with β1), the
 * cross-entropy of a classifier on the new features alone, and λ_okd·KD(T) of the old classes'
 * logits from the previous model.
 *
 * <p><b>Compression</b> follows: a single-extractor student, its extractor and old classes' head
 * from the previous model, its new classes' head fresh, learns every parameter by balanced
 * distillation (β2) from the boosted teacher over the same training set, SGD momentum 0.9 without
 * weight decay on a cosine schedule. The teacher is what this phase evaluates and keeps exemplars
 * with (PyCIL's {@code eval_task} and {@code build_rehearsal_memory} read {@code self._network}); the
 * student is what the next phase starts from.
 *
 * <p>One instance serves one phase at a time: {@link #beforeTraining} resets what it holds.
 */
public final class FosterStages implements PhaseHook, NetworkHook {

    static final String BOOSTING_STAGE = "boosting";
    static final String COMPRESSION_STAGE = "compression";
    private static final double MOMENTUM = 0.9;
    private static final ScheduleSpec COSINE = new ScheduleSpec("cosine", null, null);

    private final FosterSpec options;
    private float[] boostingWeights;
    private float[] compressionWeights;
    private List<LossTerm> boostingLosses;

    /** @param options FOSTER's options, resolved but for {@code compressionLr} (null: the training learning rate) */
    FosterStages(FosterSpec options) {
        this.options = options;
    }

    /** Every phase after the first trains a second extractor next to the previous network's. */
    @Override
    public void shape(IncrementalNet.Builder builder, int phase, ModelSpec model, Shape input) {
        if (phase > 0) {
            builder.setBackbone(
                    boosted(Backbones.create(model, (int) input.get(1), (int) input.get(2), (int) input.get(3))));
        }
    }

    @Override
    public IncrementalNet startFrom(IncrementalNet previous, int phase, Supplier<IncrementalNet> rebuilt) {
        IncrementalNet boosted = rebuilt.get();
        startBoosted(boosted, previous);
        return boosted;
    }

    /** The boosted backbone of a phase network whose single-extractor architecture is {@code single}. */
    static Backbone boosted(Backbone single) {
        return BoostedBackbone.builder().setBase(single).build();
    }

    /**
     * Starts the boosted network {@code teacher} from the previous phase's single network: both
     * extractors from its extractor, and each old class's weights on the old features (and its
     * bias) from its head, as PyCIL's {@code FOSTERNet.update_fc} does; the weights on the new
     * features keep their fresh initialisation.
     */
    static void startBoosted(IncrementalNet teacher, IncrementalNet single) {
        ((BoostedBackbone) teacher.backbone()).startFrom(single.backbone());
        int oldDim = single.backbone().featureDim();
        for (int segment = 0; segment < single.numSegments(); segment++) {
            NDArray fresh = teacher.segmentWeight(segment);
            NDArray onNewFeatures = fresh.get(new NDIndex(":, {}:", oldDim));
            NDArray combined = NDArrays.concat(new NDList(single.segmentWeight(segment), onNewFeatures), 1);
            teacher.setSegmentWeight(segment, combined);
            single.segmentBiasParameter(segment)
                    .getArray()
                    .copyTo(teacher.segmentBiasParameter(segment).getArray());
            onNewFeatures.close();
            combined.close();
        }
    }

    @Override
    public void beforeTraining(PhaseSession session) {
        boostingWeights = null;
        compressionWeights = null;
        boostingLosses = null;
        if (session.oldClasses() == 0) {
            return;
        }
        session.setMainStageName(BOOSTING_STAGE);
        int[] counts = classCounts(session);
        boostingWeights = effectiveNumberWeights(options.beta1(), counts);
        compressionWeights = effectiveNumberWeights(options.beta2(), counts);
        IncrementalNet previous = session.previousNet();
        NDManager manager = session.manager();
        NDArray oldWeight = concatSegments(previous, manager, true);
        NDArray oldBias = concatSegments(previous, manager, false);
        int extractorDim = ((BoostedBackbone) session.net().backbone()).extractorDim();
        Linear newExtractorHead = newExtractorHead(session.totalClasses(), extractorDim, manager);
        Parameter weight = newExtractorHead.getParameters().get("weight");
        Parameter bias = newExtractorHead.getParameters().get("bias");
        session.addTrainable(List.of(weight, bias));
        boostingLosses = List.of(
                new LogitAdjustedCrossEntropy(boostingWeights),
                new NewExtractorCrossEntropy(weight, bias),
                new OldHeadDistillation(oldWeight, oldBias, options.temperature(), options.lambdaOkd()));
    }

    /**
     * The boosting objective, classification term first: each term stands for the one
     * {@link #beforeTraining} builds for the current phase (class weights, old head, the new
     * extractor's classifier), so the method can name its terms before a phase starts.
     */
    public List<LossTerm> boostingObjective() {
        return List.of(
                step -> prepared(0).compute(step),
                step -> prepared(1).compute(step),
                step -> prepared(2).compute(step));
    }

    private LossTerm prepared(int term) {
        if (boostingLosses == null) {
            throw new IllegalStateException(
                    "FOSTER's boosting terms are set up by beforeTraining of a phase with old classes");
        }
        return boostingLosses.get(term);
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        return session.oldClasses() == 0
                ? 0
                : compressionStage(session).steps(session.training().size());
    }

    @Override
    public void afterTraining(PhaseSession session) {
        if (session.oldClasses() == 0) {
            return;
        }
        int oldClasses = session.oldClasses();
        int newClasses = session.totalClasses() - oldClasses;
        IncrementalNet teacher = session.net();
        if (options.isTeacherWa()) {
            alignWeights(teacher, oldClasses, newClasses, options.waValue());
        }
        IncrementalNet student = student(session);
        session.distill(
                compressionStage(session),
                student,
                teacher,
                List.of(new BalancedDistillationLoss(compressionWeights, options.temperature())));
        if (options.isStudentWa()) {
            alignWeights(student, oldClasses, newClasses, options.waValue());
        }
        session.setSuccessor(student);
    }

    /** The compressed student the next phase starts from, evaluated on the phase's test split. */
    @Override
    public PartReport report(PhaseSession session) {
        IncrementalNet student = session.successor();
        if (student == null) {
            return null;
        }
        Samples test = session.testSamples();
        int[] predicted = Evaluator.predict(
                        student,
                        session.parameterStore(),
                        session.evalTransform(),
                        session.manager(),
                        test,
                        session.height(),
                        session.width(),
                        session.channels(),
                        null)
                .cnn();
        return new StudentAccuracyReport(Predictions.accuracy(test.labels(), predicted, 0, session.totalClasses()));
    }

    /**
     * A single-extractor network over all seen classes: extractor and old classes' head copied from
     * the previous model, the new classes' head freshly initialised (PyCIL's {@code _snet}, whose
     * {@code convnets[0]} loads the teacher's old extractor and whose fc takes {@code copy_fc(oldfc)}).
     */
    private static IncrementalNet student(PhaseSession session) {
        IncrementalNet previous = session.previousNet();
        IncrementalNet student = IncrementalNet.rebuild(
                IncrementalNet.builder()
                        .setBackbone(previous.backbone().sameArchitecture())
                        .optHead(HeadType.LINEAR),
                session.inputShape(),
                previous.segmentSizes(),
                session.manager());
        var target = student.getParameters();
        for (var entry : previous.getParameters()) {
            entry.getValue().getArray().copyTo(target.get(entry.getKey()).getArray());
        }
        student.addClasses(session.totalClasses() - session.oldClasses(), session.manager());
        return student;
    }

    private TrainingStage compressionStage(PhaseSession session) {
        double lr = options.compressionLr() != null
                ? options.compressionLr()
                : session.spec().training().optimizer().lr();
        return session.extraStage(
                COMPRESSION_STAGE,
                options.compressionEpochs(),
                new OptimizerSpec("sgd", lr, MOMENTUM, 0.0, false, null, null),
                COSINE);
    }

    /** Images per seen class in the phase's training set (old classes: their exemplars). */
    private static int[] classCounts(PhaseSession session) {
        int[] counts = new int[session.totalClasses()];
        for (int label = 0; label < counts.length; label++) {
            counts[label] = session.training().indicesOfLabels(label, label + 1).length;
        }
        return counts;
    }

    /**
     * Class-balanced weights from the effective number of samples (Cui et al. 2019), as FOSTER's
     * {@code per_cls_weights}: {@code w_c = (1 − β) / (1 − β^{n_c})}, scaled to sum to the number of classes.
     */
    static float[] effectiveNumberWeights(double beta, int[] counts) {
        double[] raw = new double[counts.length];
        double sum = 0;
        for (int c = 0; c < counts.length; c++) {
            raw[c] = (1 - beta) / (1 - Math.pow(beta, counts[c]));
            sum += raw[c];
        }
        float[] weights = new float[counts.length];
        for (int c = 0; c < counts.length; c++) {
            weights[c] = (float) (raw[c] / sum * counts.length);
        }
        return weights;
    }

    /**
     * PyCIL's {@code weight_align}: the new classes' weight rows scaled by
     * {@code mean‖w_old‖ / mean‖w_new‖ · value^(old/new)} (biases untouched).
     */
    static void alignWeights(IncrementalNet net, int oldClasses, int newClasses, double value) {
        int last = net.numSegments() - 1;
        try (NDManager scratch = net.segmentWeight(last).getManager().newSubManager()) {
            NDArray weights = concatSegments(net, scratch, true);
            NDArray norms = weights.norm(new int[] {1});
            float oldMean = norms.get(new NDIndex("0:{}", oldClasses)).mean().getFloat();
            float newMean = norms.get(new NDIndex("{}:", oldClasses)).mean().getFloat();
            double gamma = oldMean / newMean * Math.pow(value, (double) oldClasses / newClasses);
            NDArray scaled = net.segmentWeight(last).mul((float) gamma);
            scaled.attach(scratch);
            net.setSegmentWeight(last, scaled);
        }
    }

    /** A detached copy of a linear head's weights (rows: classes) or biases, over all its segments. */
    private static NDArray concatSegments(IncrementalNet net, NDManager manager, boolean weights) {
        NDList parts = new NDList();
        for (int segment = 0; segment < net.numSegments(); segment++) {
            parts.add(
                    weights
                            ? net.segmentWeight(segment)
                            : net.segmentBiasParameter(segment).getArray());
        }
        NDArray joined = parts.size() == 1 ? parts.head().duplicate() : NDArrays.concat(parts, 0);
        joined.attach(manager);
        return joined.stopGradient();
    }

    /** PyCIL's {@code SimpleLinear}: kaiming-uniform weights (bound √(3/fan_in)), zero bias. */
    private static Linear newExtractorHead(int classes, int inputDim, NDManager manager) {
        Linear head = Linear.builder().setUnits(classes).build();
        head.setInitializer(
                (m, shape, type) -> PhaseRandom.uniform(
                        m, (float) -Math.sqrt(3.0 / inputDim), (float) Math.sqrt(3.0 / inputDim), shape, type),
                Parameter.Type.WEIGHT);
        head.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        head.initialize(manager, DataType.FLOAT32, new Shape(1, inputDim));
        return head;
    }
}
