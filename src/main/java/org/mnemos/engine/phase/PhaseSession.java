package org.mnemos.engine.phase;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.IntConsumer;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.StepContext;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;

/**
 * The state of one phase while it runs, and the operations methods compose: the networks, the
 * training set, the exemplar memory, and helpers to train a stage or extract features. This is
 * what PyCIL's BaseLearner holds, with the method-specific parts moved into {@link CilMethod}.
 */
public final class PhaseSession {

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
    private final StageTrainer stages;
    private Samples training;
    private Samples heldOut;
    private double accuracy = Double.NaN;
    private Samples testSamples;
    private final Set<String> frozen = new HashSet<>();
    private final List<Parameter> extraTrainable = new ArrayList<>();
    private List<StepHook> stepHooks = List.of();
    private ExemplarSet memory;
    private String mainStageName = "train";
    private List<LossTerm> mainStageLosses;
    private IncrementalNet successor;
    private boolean lastPhase;

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
        this.stages = new StageTrainer(this);
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

    void setLastPhase(boolean lastPhase) {
        this.lastPhase = lastPhase;
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
    public Shape inputShape() {
        return new Shape(1, channels, inputHeight(), inputWidth());
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

    /** The phase's test split over the seen classes, incremental labels; set once the phase is evaluated. */
    public Samples testSamples() {
        return testSamples;
    }

    void setTestSamples(Samples testSamples) {
        this.testSamples = testSamples;
    }

    /** The phase's test accuracy (the method's classifier); set once the phase is evaluated, NaN before. */
    public double accuracy() {
        return accuracy;
    }

    void setAccuracy(double accuracy) {
        this.accuracy = accuracy;
    }

    /** The parts consulted in every training step. */
    List<StepHook> stepHooks() {
        return stepHooks;
    }

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

    /** Names the main stage in progress reports (FOSTER's "boosting"); "train" by default. */
    public void setMainStageName(String name) {
        this.mainStageName = name;
    }

    /** The loss terms of the main stage while it runs (after it starts), or null before. */
    public List<LossTerm> mainStageLosses() {
        return mainStageLosses;
    }

    /** Parameters outside the network the main stage trains too (FOSTER's classifier of the new extractor). */
    public void addTrainable(List<Parameter> parameters) {
        extraTrainable.addAll(parameters);
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
            return new TrainingStage(
                    mainStageName,
                    orZero(training.epochs()),
                    orZero(training.iterations()),
                    training.batchSize(),
                    training.optimizer(),
                    training.schedule());
        }
        return new TrainingStage(
                mainStageName,
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
        stages.train(stage, net, previousNet, trainable, samples, losses, true, null, epoch -> {}, null);
    }

    /**
     * Trains every parameter of {@code student} on the session's training set for {@code stage},
     * with {@code teacher} (in evaluation mode, no gradients) as the reference network the loss
     * terms read ({@link StepContext#previous()}): FOSTER's compression.
     */
    public void distill(TrainingStage stage, IncrementalNet student, IncrementalNet teacher, List<LossTerm> losses) {
        stages.train(
                stage,
                student,
                teacher,
                student.trainableParameters(),
                training,
                losses,
                true,
                null,
                epoch -> {},
                substitution());
    }

    /**
     * Trains {@code trainable} with the networks in evaluation mode (BatchNorm on its running
     * statistics, none updated) on an optimizer the caller owns: AANets' aggregation weights.
     */
    public void trainInEvalMode(
            TrainingStage stage,
            List<Parameter> trainable,
            Samples samples,
            List<LossTerm> losses,
            Optimizer optimizer) {
        stages.train(stage, net, previousNet, trainable, samples, losses, false, optimizer, epoch -> {}, null);
    }

    /** L2-normalised features of {@code samples} under the current network in evaluation mode. */
    public float[][] features(Samples samples) {
        return stages.features(net, samples);
    }

    public float[][] features(IncrementalNet network, Samples samples) {
        return stages.features(network, samples);
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
        mainStageLosses = List.copyOf(losses);
        stages.train(
                mainStage(),
                net,
                previousNet,
                mainStageParameters(),
                training,
                losses,
                true,
                null,
                afterEpoch,
                substitution());
    }

    /**
     * What the main stage's optimiser updates: the network's trainable parameters less those a hook
     * froze, plus those a hook added.
     */
    public List<Parameter> mainStageParameters() {
        List<Parameter> result = new ArrayList<>(net.trainableParameters().stream()
                .filter(p -> !frozen.contains(p.getId()))
                .toList());
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
        Set<String> backbone = new HashSet<>();
        net.backbone().getParameters().values().forEach(p -> backbone.add(p.getId()));
        return net.trainableParameters().stream()
                .filter(p -> !backbone.contains(p.getId()))
                .toList();
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
