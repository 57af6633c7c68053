package org.mnemos.engine.phase;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Random;
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

    private final PhaseContext context;
    private final ParameterStore parameters;
    private final StageTrainer stages;
    private final Trainables trainables = new Trainables();
    private Samples training;
    private Samples heldOut;
    private ExemplarSet memory;
    private double accuracy = Double.NaN;
    private Samples testSamples;
    private String mainStageName = "train";
    private List<LossTerm> mainStageLosses;
    private IncrementalNet successor;

    public PhaseSession(PhaseContext context, Samples training, ExemplarSet memory) {
        this.context = context;
        this.parameters = new ParameterStore(context.manager(), false);
        this.training = training;
        this.memory = memory;
        this.stages = new StageTrainer(this);
    }

    public ExperimentSpec spec() {
        return context.spec();
    }

    public int oldClasses() {
        return context.oldClasses();
    }

    public int totalClasses() {
        return context.totalClasses();
    }

    public IncrementalNet net() {
        return context.net();
    }

    public IncrementalNet previousNet() {
        return context.previousNet();
    }

    public ParameterStore parameterStore() {
        return parameters;
    }

    public Random rng() {
        return context.rng();
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
        return context.manager();
    }

    public int phase() {
        return context.phase();
    }

    /** Whether this is the run's last phase (no later phase needs what it would prepare). */
    public boolean isLastPhase() {
        return context.lastPhase();
    }

    /** The original label at position {@code incremental} of the class order. */
    public int originalLabel(int incremental) {
        return context.originalLabel(incremental);
    }

    /** Position of an original label in the run's class order. */
    public int incrementalLabel(int originalLabel) {
        return context.incrementalLabels()[originalLabel];
    }

    public int height() {
        return context.height();
    }

    public int width() {
        return context.width();
    }

    public int channels() {
        return context.channels();
    }

    public int imageBytes() {
        return height() * width() * channels();
    }

    /** The shape networks of this run are initialised with: (1, C, H, W), the input the transforms crop. */
    public Shape inputShape() {
        return new Shape(1, channels(), inputHeight(), inputWidth());
    }

    /** The height of the network input: the stored images' crop. */
    public int inputHeight() {
        return evalTransform().outputHeight();
    }

    /** The width of the network input: the stored images' crop. */
    public int inputWidth() {
        return evalTransform().outputWidth();
    }

    public TrainingLoop loop() {
        return context.loop();
    }

    public BatchTransform trainTransform() {
        return context.trainTransform();
    }

    public BatchTransform evalTransform() {
        return context.evalTransform();
    }

    /** Uploads samples for a stage that runs its own loop; closing the result frees the device memory. */
    public DeviceDataset upload(Samples samples) {
        return upload(samples, manager());
    }

    /** Uploads samples into {@code owner}; closing the result frees the device memory. */
    public DeviceDataset upload(Samples samples, NDManager owner) {
        return context.upload(samples, owner);
    }

    /** The network the next phase starts from when it is not the one this phase evaluates; null: {@link #net()}. */
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

    /** The phase's test accuracy (the method's classifier); set once the phase is evaluated, NaN before. */
    public double accuracy() {
        return accuracy;
    }

    /** Files the phase's evaluation: its test split and the method's accuracy on it. */
    void setEvaluation(Samples testSamples, double accuracy) {
        this.testSamples = testSamples;
        this.accuracy = accuracy;
    }

    /** The parts consulted in every training step. */
    void setStepHooks(List<StepHook> stepHooks) {
        stages.setStepHooks(stepHooks);
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
        trainables.add(parameters);
    }

    /** The main stage as the spec describes it; phase 0 takes what {@code training.base} overrides. */
    public TrainingStage mainStage() {
        return TrainingStage.main(spec().training(), phase(), mainStageName);
    }

    /** A short extra stage (calibration, finetuning) with its own optimizer. */
    public TrainingStage extraStage(String name, int epochs, OptimizerSpec optimizer, ScheduleSpec schedule) {
        return new TrainingStage(name, epochs, 0, spec().training().batchSize(), optimizer, schedule);
    }

    /**
     * Trains {@code trainable} on {@code samples} for {@code stage} with the sum of {@code losses}. A stage that
     * trains no backbone parameter (BiC's bias layer, classifier finetuning) runs the backbone in evaluation mode,
     * so that the small set it trains on does not replace its BatchNorm statistics, and without recording gradients.
     */
    public void train(TrainingStage stage, List<Parameter> trainable, Samples samples, List<LossTerm> losses) {
        stages.train(stage, net(), previousNet(), trainable, samples, losses, true, null, epoch -> {}, null);
    }

    /**
     * Trains every parameter of {@code student} on the training set for {@code stage}, with {@code teacher} (in
     * evaluation mode, no gradients) as the network the loss terms read ({@link StepContext#previous()}).
     */
    public void distill(TrainingStage stage, IncrementalNet student, IncrementalNet teacher, List<LossTerm> losses) {
        stages.trainSubstituted(stage, student, teacher, student.trainableParameters(), training, losses, e -> {});
    }

    /** Trains {@code trainable} with the networks in evaluation mode on an optimizer the caller owns. */
    public void trainInEvalMode(
            TrainingStage stage,
            List<Parameter> trainable,
            Samples samples,
            List<LossTerm> losses,
            Optimizer optimizer) {
        stages.train(stage, net(), previousNet(), trainable, samples, losses, false, optimizer, epoch -> {}, null);
    }

    /** L2-normalised features of {@code samples} under the current network in evaluation mode. */
    public float[][] features(Samples samples) {
        return stages.features(net(), samples);
    }

    public float[][] features(IncrementalNet network, Samples samples) {
        return stages.features(network, samples);
    }

    /** Keeps {@code parameters} fixed during the main stage (LUCIR's old class embeddings). */
    public void freeze(List<Parameter> parameters) {
        trainables.freeze(parameters);
    }

    public boolean isFrozen(Parameter parameter) {
        return trainables.isFrozen(parameter);
    }

    /** Runs the main stage: the method's objective on the session's training set; {@code afterEpoch} after each epoch. */
    public void trainMainStage(List<LossTerm> losses, IntConsumer afterEpoch) {
        mainStageLosses = List.copyOf(losses);
        stages.trainSubstituted(mainStage(), net(), previousNet(), mainStageParameters(), training, losses, afterEpoch);
    }

    /** What the main stage's optimiser updates: the network's trainable parameters less those frozen, plus those added. */
    public List<Parameter> mainStageParameters() {
        return trainables.mainStage(net());
    }

    /** The exemplar memory as training samples with incremental labels. */
    public Samples memorySamples() {
        return context.samplesOf(memory);
    }

    /** The head's parameters (classifier weights, scale): what classifier-only stages train. */
    public List<Parameter> headParameters() {
        return Trainables.head(net());
    }
}
