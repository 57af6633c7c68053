package org.mnemos.engine.phase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.optim.Optimizers;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.StepContext;
import org.mnemos.engine.util.Autograd;

/**
 * The stages of a {@link PhaseSession}: the training step every stage runs (the reference network's
 * outputs, the step hooks' extra rows, the loss terms' sum) and feature extraction.
 */
final class StageTrainer {

    private static final int EVAL_BATCH = 256;

    private final PhaseSession session;
    private List<StepHook> stepHooks = List.of();

    StageTrainer(PhaseSession session) {
        this.session = session;
    }

    /** The parts consulted in every training step. */
    void setStepHooks(List<StepHook> stepHooks) {
        this.stepHooks = List.copyOf(stepHooks);
    }

    /** What replaces images as the main and distillation stages draw them: the one a step hook offers now, or null. */
    private TrainingLoop.Substitution substitution() {
        return stepHooks.stream()
                .map(StepHook::substitution)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    /** Trains with the step hooks' substitution of images (the main stage, FOSTER's compression). */
    void trainSubstituted(
            TrainingStage stage,
            IncrementalNet network,
            IncrementalNet reference,
            List<Parameter> trainable,
            Samples samples,
            List<LossTerm> losses,
            IntConsumer afterEpoch) {
        train(stage, network, reference, trainable, samples, losses, true, null, afterEpoch, substitution());
    }

    /**
     * @param network the network trained (its outputs are the terms' outputs)
     * @param reference the network the terms read as the previous model, or null
     * @param optimizer null creates the stage's own
     * @param substitution replaces images of each batch (null for none)
     */
    void train(
            TrainingStage stage,
            IncrementalNet network,
            IncrementalNet reference,
            List<Parameter> trainable,
            Samples samples,
            List<LossTerm> losses,
            boolean trainingMode,
            Optimizer optimizer,
            IntConsumer afterEpoch,
            TrainingLoop.Substitution substitution) {
        boolean usePrevious = reference != null && losses.stream().anyMatch(LossTerm::needsPreviousModel);
        List<StepHook> stepHooks = this.stepHooks;
        int oldClasses = session.oldClasses();
        int totalClasses = session.totalClasses();
        ParameterStore parameters = session.parameterStore();
        Set<String> backbone = new HashSet<>();
        network.backbone().getParameters().values().forEach(p -> backbone.add(p.getId()));
        boolean trainsBackbone = trainable.stream().anyMatch(p -> backbone.contains(p.getId()));
        NDArray scale = network.scale() == null ? null : network.scale().getArray();
        ApartBatchNorm apartBatchNorm =
                stepHooks.stream().anyMatch(StepHook::normalisesAppendedRowsApart) ? new ApartBatchNorm(network) : null;
        try (NDManager stageManager = session.manager().newSubManager();
                DeviceDataset data = session.upload(samples, stageManager)) {
            TrainingLoop.StepLoss stepLoss = (realInputs, realTargets) -> {
                NDList previous = null;
                NDArray inputs = realInputs;
                NDArray targets = realTargets;
                int realRows = (int) realInputs.getShape().get(0);
                if (usePrevious) {
                    Autograd.disable();
                    for (StepHook hook : stepHooks) {
                        inputs = hook.extendInputs(inputs, realRows);
                    }
                    previous = reference.forward(parameters, new NDList(inputs), false);
                    for (StepHook hook : stepHooks) {
                        targets = hook.extendTargets(targets, previous, realRows, oldClasses);
                    }
                    Autograd.enable();
                }
                boolean apart = apartBatchNorm != null
                        && trainsBackbone
                        && trainingMode
                        && inputs.getShape().get(0) > realRows;
                NDList outputs = apart
                        ? apartBatchNorm.forward(parameters, inputs, realRows)
                        : trainsBackbone
                                ? network.forward(parameters, new NDList(inputs), trainingMode)
                                : network.withHead(parameters, frozenBackbone(network, inputs), false);
                StepContext step = new StepContext(
                        outputs,
                        previous,
                        targets,
                        oldClasses,
                        totalClasses,
                        scale,
                        realRows,
                        features -> network.forwardHead(parameters, features, true),
                        reference == null ? null : features -> reference.forwardHead(parameters, features, false));
                NDArray total = null;
                for (LossTerm term : losses) {
                    NDArray value = term.compute(step);
                    total = total == null ? value : total.add(value);
                }
                return total;
            };
            TrainingLoop.StageState state = new TrainingLoop.StageState(
                    checkpointed(network, trainable), apartBatchNorm == null ? () -> {} : apartBatchNorm::restore);
            try {
                if (optimizer == null) {
                    try (Optimizer own = Optimizers.create(stage.optimizer())) {
                        session.loop()
                                .run(
                                        stage,
                                        trainable,
                                        data,
                                        session.trainTransform(),
                                        session.rng(),
                                        stageManager,
                                        stepLoss,
                                        own,
                                        afterEpoch,
                                        substitution,
                                        state);
                    }
                } else {
                    session.loop()
                            .run(
                                    stage,
                                    trainable,
                                    data,
                                    session.trainTransform(),
                                    session.rng(),
                                    stageManager,
                                    stepLoss,
                                    optimizer,
                                    afterEpoch,
                                    substitution,
                                    state);
                }
            } finally {
                if (apartBatchNorm != null) {
                    apartBatchNorm.restore();
                }
            }
        }
    }

    /**
     * What a checkpoint of the stage holds: every parameter and running statistic of the trained
     * network, and any trained parameter a hook added outside it.
     */
    private static List<Parameter> checkpointed(IncrementalNet network, List<Parameter> trainable) {
        java.util.Map<String, Parameter> byId = new java.util.LinkedHashMap<>();
        network.getParameters().values().forEach(p -> byId.put(p.getId(), p));
        trainable.forEach(p -> byId.putIfAbsent(p.getId(), p));
        return List.copyOf(byId.values());
    }

    /** The backbone's outputs in evaluation mode, computed without recording: nothing behind them is trained. */
    private NDList frozenBackbone(IncrementalNet network, NDArray inputs) {
        Autograd.disable();
        try {
            return network.backbone().forward(session.parameterStore(), new NDList(inputs), false);
        } finally {
            Autograd.enable();
        }
    }

    /** L2-normalised features of {@code samples} under {@code network} in evaluation mode. */
    float[][] features(IncrementalNet network, Samples samples) {
        int dim = network.backbone().featureDim();
        float[][] result = new float[samples.size()][];
        try (NDManager featureManager = session.manager().newSubManager();
                DeviceDataset data = session.upload(samples, featureManager)) {
            for (int start = 0; start < samples.size(); start += EVAL_BATCH) {
                int end = Math.min(samples.size(), start + EVAL_BATCH);
                try (NDManager batch = featureManager.newSubManager()) {
                    NDArray indices = batch.arange(start, end).toType(DataType.INT64, false);
                    NDArray inputs = session.evalTransform().apply(data.gather(indices), false, session.rng());
                    NDArray features = network.forward(session.parameterStore(), new NDList(inputs), false)
                            .get(1)
                            .normalize(2, 1);
                    float[] flat = features.toFloatArray();
                    for (int i = 0; i < end - start; i++) {
                        result[start + i] = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
                    }
                }
            }
        }
        return result;
    }
}
