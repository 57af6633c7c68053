package org.mnemos.engine.phase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.metrics.MnemonicsMetrics;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.optim.Optimizers;
import org.mnemos.engine.parts.method.dfcil.ModelInversion;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.StepContext;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.util.Autograd;

/**
 * The state of one phase while it runs, and the operations methods compose: the networks, the
 * training set, the exemplar memory, and helpers to train a stage or extract features. This is
 * what PyCIL's BaseLearner holds, with the method-specific parts moved into {@link CilMethod}.
 */
public final class PhaseSession {

    private static final int EVAL_BATCH = 256;

    private final ExperimentSpec spec;
    private final int phase;
    private final int oldClasses;
    private final int totalClasses;
    private final IncrementalNet net;
    private final IncrementalNet previousNet;
    private final NDManager manager;
    private final ParameterStore parameters;
    private final BatchTransform trainTransform;
    private final BatchTransform evalTransform;
    private final Random rng;
    private final TrainingLoop loop;
    private final int height;
    private final int width;
    private final int channels;
    private final int[] incrementalLabels;
    private Samples training;
    private Samples heldOut;
    private final java.util.Set<String> frozen = new java.util.HashSet<>();
    private final List<Parameter> extraTrainable = new ArrayList<>();
    private ExemplarSet memory;
    private MnemonicsMetrics mnemonicsMetrics;
    private String mainStageName = "train";
    private IncrementalNet successor;
    private java.util.Map<Integer, float[]> heatmaps;
    private TrainingLoop.Substitution trainingSubstitution;
    private boolean lastPhase;
    private ModelInversion dreams;
    private long dreamNanos;
    private org.mnemos.engine.metrics.InversionMetrics inversionMetrics;
    private ExemplarSet dreamGallery;

    public PhaseSession(
            ExperimentSpec spec,
            int phase,
            int oldClasses,
            int totalClasses,
            IncrementalNet net,
            IncrementalNet previousNet,
            NDManager manager,
            BatchTransform trainTransform,
            BatchTransform evalTransform,
            Random rng,
            TrainingLoop loop,
            Samples training,
            ExemplarSet memory,
            int height,
            int width,
            int channels,
            int[] incrementalLabels) {
        this.incrementalLabels = incrementalLabels;
        this.spec = spec;
        this.phase = phase;
        this.oldClasses = oldClasses;
        this.totalClasses = totalClasses;
        this.net = net;
        this.previousNet = previousNet;
        this.manager = manager;
        this.parameters = new ParameterStore(manager, false);
        this.trainTransform = trainTransform;
        this.evalTransform = evalTransform;
        this.rng = rng;
        this.loop = loop;
        this.training = training;
        this.memory = memory;
        this.height = height;
        this.width = width;
        this.channels = channels;
    }

    public ExperimentSpec spec() {
        return spec;
    }

    public int oldClasses() {
        return oldClasses;
    }

    public int totalClasses() {
        return totalClasses;
    }

    public IncrementalNet net() {
        return net;
    }

    public IncrementalNet previousNet() {
        return previousNet;
    }

    public ParameterStore parameterStore() {
        return parameters;
    }

    public Random rng() {
        return rng;
    }

    public Samples training() {
        return training;
    }

    public void setTraining(Samples training) {
        this.training = training;
    }

    /** Images a hook withheld from training (BiC's validation split), or null. */
    public Samples heldOut() {
        return heldOut;
    }

    public void setHeldOut(Samples heldOut) {
        this.heldOut = heldOut;
    }

    public ExemplarSet memory() {
        return memory;
    }

    public void setMemory(ExemplarSet memory) {
        this.memory = memory;
    }

    /** What mnemonics training reported this phase, or null. */
    public MnemonicsMetrics mnemonicsMetrics() {
        return mnemonicsMetrics;
    }

    public void setMnemonicsMetrics(MnemonicsMetrics mnemonicsMetrics) {
        this.mnemonicsMetrics = mnemonicsMetrics;
    }

    public NDManager manager() {
        return manager;
    }

    public int phase() {
        return phase;
    }

    /** Whether this is the run's last phase (no later phase needs what it would prepare). */
    public boolean isLastPhase() {
        return lastPhase;
    }

    public void setLastPhase(boolean lastPhase) {
        this.lastPhase = lastPhase;
    }

    /**
     * The generator whose dreams are replayed with every real batch of the main stage (ABD,
     * DeepInversion), labelled by the previous network's prediction over the old classes; null
     * for none.
     */
    public ModelInversion dreams() {
        return dreams;
    }

    public void setDreams(ModelInversion dreams) {
        this.dreams = dreams;
    }

    /** Seconds spent generating and labelling replayed dreams so far. */
    public double dreamSeconds() {
        return dreamNanos / 1e9;
    }

    /** What the model inversion after this phase's training reported, or null. */
    public org.mnemos.engine.metrics.InversionMetrics inversionMetrics() {
        return inversionMetrics;
    }

    public void setInversionMetrics(org.mnemos.engine.metrics.InversionMetrics inversionMetrics) {
        this.inversionMetrics = inversionMetrics;
    }

    /** The inversion report with the replay's share of this phase's training added; null without dreams. */
    public org.mnemos.engine.metrics.InversionMetrics inversionReport() {
        var inverted = inversionMetrics;
        if (inverted == null) {
            return dreams == null ? null : new org.mnemos.engine.metrics.InversionMetrics(0, 0, 0, dreamSeconds(), null, null);
        }
        return new org.mnemos.engine.metrics.InversionMetrics(inverted.iterations(), inverted.batchSize(), inverted.seconds(),
                dreamSeconds(), inverted.firstLoss(), inverted.lastLoss());
    }

    /** A sample of this phase's dreams per predicted class (the synthetic download), or null. */
    public ExemplarSet dreamGallery() {
        return dreamGallery;
    }

    public void setDreamGallery(ExemplarSet dreamGallery) {
        this.dreamGallery = dreamGallery;
    }

    /** The original label at position {@code incremental} of the class order. */
    public int originalLabel(int incremental) {
        for (int label = 0; label < incrementalLabels.length; label++) {
            if (incrementalLabels[label] == incremental) {
                return label;
            }
        }
        throw new IllegalArgumentException("no class at position " + incremental + " of the class order");
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    public TrainingLoop loop() {
        return loop;
    }

    public BatchTransform trainTransform() {
        return trainTransform;
    }

    public BatchTransform evalTransform() {
        return evalTransform;
    }

    /** Position of an original label in the run's class order. */
    public int incrementalLabel(int originalLabel) {
        return incrementalLabels[originalLabel];
    }

    /** Uploads samples for a stage that runs its own loop; closing the result frees the device memory. */
    public DeviceDataset upload(Samples samples) {
        return upload(samples, manager);
    }

    public int imageBytes() {
        return height * width * channels;
    }

    /** The shape networks of this run are initialised with: (1, C, H, W), the input the transforms crop. */
    public ai.djl.ndarray.types.Shape inputShape() {
        return new ai.djl.ndarray.types.Shape(1, channels, inputHeight(), inputWidth());
    }

    /** The height of the network input: the stored images' crop. */
    public int inputHeight() {
        return evalTransform.outputHeight();
    }

    /** The width of the network input: the stored images' crop. */
    public int inputWidth() {
        return evalTransform.outputWidth();
    }

    /**
     * The network the next phase starts from, when it is not the one this phase evaluates (FOSTER's
     * compressed student next to its two-extractor teacher); null means {@link #net()}.
     */
    public IncrementalNet successor() {
        return successor;
    }

    public void setSuccessor(IncrementalNet successor) {
        this.successor = successor;
    }

    /**
     * Replaces images of the session's training set as the main stage and FOSTER's compression
     * stage draw them (CIM's random compression of new-class images); null for none.
     */
    public void setTrainingSubstitution(TrainingLoop.Substitution substitution) {
        this.trainingSubstitution = substitution;
    }

    /** Names the main stage in progress reports (FOSTER's "boosting"); "train" by default. */
    public void setMainStageName(String name) {
        this.mainStageName = name;
    }

    /** Parameters outside the network the main stage trains too (FOSTER's classifier of the new extractor). */
    public void addTrainable(List<Parameter> parameters) {
        extraTrainable.addAll(parameters);
    }

    /** CAM heatmaps of a few new exemplars (position in the memory → height·width map in [0, 1]), or null. */
    public java.util.Map<Integer, float[]> heatmaps() {
        return heatmaps;
    }

    public void setHeatmaps(java.util.Map<Integer, float[]> heatmaps) {
        this.heatmaps = heatmaps;
    }

    /** Uploads samples into {@code owner}; closing the result frees the device memory. */
    public DeviceDataset upload(Samples samples, NDManager owner) {
        return samples.values() == null
                ? DeviceDataset.of(samples.pixels(), samples.labels(), height, width, channels, owner)
                : DeviceDataset.ofValues(samples.values(), samples.labels(), height, width, channels, owner);
    }

    /** The main stage as the spec describes it; phase 0 takes what {@code training.base} overrides. */
    public TrainingStage mainStage() {
        var training = spec.training();
        var base = phase == 0 ? training.base() : null;
        if (base == null) {
            return new TrainingStage(mainStageName, orZero(training.epochs()), orZero(training.iterations()), training.batchSize(),
                    training.optimizer(), training.schedule());
        }
        return new TrainingStage(mainStageName,
                base.epochs() != null ? base.epochs() : orZero(training.epochs()),
                base.iterations() != null ? base.iterations() : orZero(training.iterations()),
                training.batchSize(),
                base.optimizer() != null ? base.optimizer() : training.optimizer(),
                base.schedule() != null ? base.schedule() : training.schedule());
    }

    /** A short extra stage (calibration, finetuning) with its own optimizer. */
    public TrainingStage extraStage(String name, int epochs, OptimizerSpec optimizer, ScheduleSpec schedule) {
        return new TrainingStage(name, epochs, 0, spec.training().batchSize(), optimizer, schedule);
    }

    /**
     * Trains {@code trainable} on {@code samples} for {@code stage} with the sum of {@code losses}.
     * A stage that trains no backbone parameter (BiC's bias layer, classifier finetuning) runs the
     * backbone in evaluation mode, so that its BatchNorm statistics are not replaced by those of
     * the small set it trains on, and without recording gradients, so that backward stops at the head.
     */
    public void train(TrainingStage stage, List<Parameter> trainable, Samples samples, List<LossTerm> losses) {
        train(stage, net, previousNet, trainable, samples, losses, true, null, epoch -> {}, null);
    }

    /**
     * Trains every parameter of {@code student} on the session's training set for {@code stage},
     * with {@code teacher} (in evaluation mode, no gradients) as the reference network the loss
     * terms read ({@link StepContext#previous()}): FOSTER's compression.
     */
    public void distill(TrainingStage stage, IncrementalNet student, IncrementalNet teacher, List<LossTerm> losses) {
        train(stage, student, teacher, student.trainableParameters(), training, losses, true, null, epoch -> {}, trainingSubstitution);
    }

    /**
     * Trains {@code trainable} with the networks in evaluation mode (BatchNorm on its running
     * statistics, none updated) on an optimizer the caller owns: AANets' aggregation weights.
     */
    public void trainInEvalMode(
            TrainingStage stage, List<Parameter> trainable, Samples samples, List<LossTerm> losses, Optimizer optimizer) {
        train(stage, net, previousNet, trainable, samples, losses, false, optimizer, epoch -> {}, null);
    }

    /**
     * @param network the network trained (its outputs are the terms' outputs)
     * @param reference the network the terms read as the previous model, or null
     * @param optimizer null creates the stage's own
     * @param substitution replaces images of each batch (null for none)
     */
    private void train(
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
        boolean replayDreams = usePrevious && dreams != null;
        java.util.Set<String> backbone = new java.util.HashSet<>();
        network.backbone().getParameters().values().forEach(p -> backbone.add(p.getId()));
        boolean trainsBackbone = trainable.stream().anyMatch(p -> backbone.contains(p.getId()));
        NDArray scale = network.scale() == null ? null : network.scale().getArray();
        try (NDManager stageManager = manager.newSubManager();
                DeviceDataset data = upload(samples, stageManager)) {
            TrainingLoop.StepLoss stepLoss = (realInputs, realTargets) -> {
                NDList previous = null;
                NDArray inputs = realInputs;
                NDArray targets = realTargets;
                int realRows = (int) realInputs.getShape().get(0);
                if (usePrevious) {
                    Autograd.disable();
                    long start = System.nanoTime();
                    if (replayDreams) {
                        // as many dreams as real images, labelled by the previous network over the old classes
                        inputs = realInputs.concat(dreams.sample(realRows, realInputs.getManager()), 0);
                    }
                    previous = reference.forward(parameters, new NDList(inputs), false);
                    if (replayDreams) {
                        NDArray dreamedLabels = previous.head().get("{}:, 0:{}", realRows, oldClasses).argMax(1);
                        targets = realTargets.concat(dreamedLabels.toType(realTargets.getDataType(), false), 0);
                        dreamNanos += System.nanoTime() - start;
                    }
                    Autograd.enable();
                }
                NDList outputs = trainsBackbone
                        ? network.forward(parameters, new NDList(inputs), trainingMode)
                        : network.withHead(parameters, frozenBackbone(network, inputs), false);
                StepContext step = new StepContext(outputs, previous, targets, oldClasses, totalClasses, scale, realRows,
                        features -> network.forwardHead(parameters, features, true),
                        reference == null ? null : features -> reference.forwardHead(parameters, features, false));
                NDArray total = null;
                for (LossTerm term : losses) {
                    NDArray value = term.compute(step);
                    total = total == null ? value : total.add(value);
                }
                return total;
            };
            if (optimizer == null) {
                try (Optimizer own = Optimizers.create(stage.optimizer())) {
                    loop.run(stage, trainable, data, trainTransform, rng, stageManager, stepLoss, own, afterEpoch, substitution);
                }
            } else {
                loop.run(stage, trainable, data, trainTransform, rng, stageManager, stepLoss, optimizer, afterEpoch, substitution);
            }
        }
    }

    /** The backbone's outputs in evaluation mode, computed without recording: nothing behind them is trained. */
    private NDList frozenBackbone(IncrementalNet network, NDArray inputs) {
        Autograd.disable();
        try {
            return network.backbone().forward(parameters, new NDList(inputs), false);
        } finally {
            Autograd.enable();
        }
    }

    /** L2-normalised features of {@code samples} under the current network in evaluation mode. */
    public float[][] features(Samples samples) {
        return features(net, samples);
    }

    public float[][] features(IncrementalNet network, Samples samples) {
        int dim = network.backbone().featureDim();
        float[][] result = new float[samples.size()][];
        try (NDManager featureManager = manager.newSubManager();
                DeviceDataset data = upload(samples, featureManager)) {
            for (int start = 0; start < samples.size(); start += EVAL_BATCH) {
                int end = Math.min(samples.size(), start + EVAL_BATCH);
                try (NDManager batch = featureManager.newSubManager()) {
                    NDArray indices = batch.arange(start, end).toType(ai.djl.ndarray.types.DataType.INT64, false);
                    NDArray inputs = evalTransform.apply(data.gather(indices), false, rng);
                    NDArray features = network.forward(parameters, new NDList(inputs), false).get(1).normalize(2, 1);
                    float[] flat = features.toFloatArray();
                    for (int i = 0; i < end - start; i++) {
                        result[start + i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
                    }
                }
            }
        }
        return result;
    }

    /** Keeps {@code parameters} fixed during the main stage (LUCIR's old class embeddings). */
    public void freeze(List<Parameter> parameters) {
        parameters.forEach(p -> frozen.add(p.getId()));
    }

    public boolean isFrozen(Parameter parameter) {
        return frozen.contains(parameter.getId());
    }

    /** Runs the main stage: the method's objective on the session's training set; {@code afterEpoch} after each epoch. */
    public void trainMainStage(List<LossTerm> losses, IntConsumer afterEpoch) {
        train(mainStage(), net, previousNet, mainStageParameters(), training, losses, true, null, afterEpoch, trainingSubstitution);
    }

    /**
     * What the main stage's optimiser updates: the network's trainable parameters less those a hook
     * froze, plus those a hook added.
     */
    public List<Parameter> mainStageParameters() {
        List<Parameter> result = new ArrayList<>(
                net.trainableParameters().stream().filter(p -> !frozen.contains(p.getId())).toList());
        result.addAll(extraTrainable);
        return result;
    }

    /** The exemplar memory as training samples with incremental labels. */
    public Samples memorySamples() {
        int[] labels = new int[memory.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = incrementalLabels[memory.labels()[i]];
        }
        return new Samples(memory.pixels(), labels, imageBytes(), memory.values());
    }

    /** The head's parameters (classifier weights, scale): what classifier-only stages train. */
    public List<Parameter> headParameters() {
        java.util.Set<String> backbone = new java.util.HashSet<>();
        net.backbone().getParameters().values().forEach(p -> backbone.add(p.getId()));
        return net.trainableParameters().stream().filter(p -> !backbone.contains(p.getId())).toList();
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
