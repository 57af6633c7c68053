package org.mnemos.engine.phase;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.MidPhaseCheckpoints;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.TrainingListener;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DatasetSplits;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.ExemplarOriginals;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.metrics.FootprintReport;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.metrics.Predictions;
import org.mnemos.engine.model.CheckpointLocator;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.InitCheckpoint;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InitSpec;
import org.mnemos.engine.util.Autograd;
import org.mnemos.engine.util.PhaseRandom;

/**
 * The phase procedure every method shares: rebuild the network from the previous state, assemble
 * the training set, run the method's hooks and objective, update the memory, evaluate, and save the
 * state for the next phase.
 */
public final class PhaseRunner {

    private final RunPlan plan;
    private final DatasetSplits data;
    private final CilMethod method;
    private final int[] incrementalLabels;

    private final CheckpointLocator checkpoints;

    /**
     * @param method every part of the run composed for this phase (fresh hooks: a runner serves one phase)
     * @param checkpoints finds the uploaded checkpoint phase 0 starts from ({@code model.init})
     */
    public PhaseRunner(RunPlan plan, DatasetSplits data, CilMethod method, CheckpointLocator checkpoints) {
        this.checkpoints = checkpoints;
        this.plan = plan;
        this.data = data;
        this.method = method;
        this.incrementalLabels = new int[data.numClasses()];
        java.util.Arrays.fill(incrementalLabels, -1);
        for (int i = 0; i < plan.classOrder().size(); i++) {
            incrementalLabels[plan.classOrder().get(i)] = i;
        }
    }

    public PhaseOutcome run(
            int phase,
            Path previousState,
            Path stateDir,
            Device device,
            TrainingListener listener,
            CancellationSignal cancel) {
        return run(phase, previousState, stateDir, device, listener, cancel, MidPhaseCheckpoints.NONE);
    }

    /** As above, taking mid-phase checkpoints into {@code midPhase} and resuming from its last one. */
    public PhaseOutcome run(
            int phase,
            Path previousState,
            Path stateDir,
            Device device,
            TrainingListener listener,
            CancellationSignal cancel,
            MidPhaseCheckpoints midPhase) {
        ExperimentSpec spec = plan.spec();
        Autograd.disable();
        long seed = phaseSeed(spec, phase);
        // the phase's own generators: host draws from rng, tensor draws (initialisation, latents) from
        // the bound PhaseRandom; PyTorch's process-wide generator is shared with concurrent phases
        RestorableRandom rng = new RestorableRandom(seed);
        long start = System.nanoTime();
        ImageDataset train = data.train();
        int oldClasses = classesBefore(phase);
        List<Integer> newClasses = plan.phases().get(phase);
        int totalClasses = oldClasses + newClasses.size();
        PhaseProgress progress = new PhaseProgress(phase, listener);
        try (PhaseRandom.Binding draws = PhaseRandom.bind(seed);
                NDManager manager = NDManager.newBaseManager(device)) {
            IncrementalNet net;
            IncrementalNet previousNet = null;
            ExemplarSet memory;
            if (phase == 0) {
                net = IncrementalNet.rebuild(builder(0), inputShape(), List.of(), manager);
                memory = ExemplarSet.empty(train.height(), train.width(), train.channels());
            } else {
                PhaseState previous = PhaseState.read(previousState);
                net = IncrementalNet.rebuild(
                        continuationBuilder(phase - 1), inputShape(), previous.segmentSizes(), manager);
                previous.loadContinuation(previousState, net, manager);
                if (method.needsPreviousModel(oldClasses, newClasses.size()) || method.head() != null) {
                    previousNet = net.copy(manager);
                }
                for (NetworkHook hook : networkHooks()) {
                    net = hook.startFrom(
                            net,
                            phase,
                            () -> IncrementalNet.rebuild(
                                    builder(phase), inputShape(), previous.segmentSizes(), manager));
                }
                memory = PhaseState.readMemory(previousState);
            }
            net.addClasses(newClasses.size(), manager);
            InitSpec init = phase == 0 ? spec.model().init() : null;
            if (init != null) {
                InitCheckpoint.load(net, checkpoints.locate(init.checkpoint()), newClasses);
            }
            // an uploaded phase-0 model is evaluated as given
            boolean trains = init == null || !init.standsInForPhase0();

            BatchTransform trainTransform = BatchTransform.forDataset(
                            spec.dataset().name(),
                            train.height(),
                            train.width(),
                            train.channels(),
                            Boolean.TRUE.equals(spec.training().augment()))
                    .withBrightnessJitter(
                            spec.training().brightnessJitter() == null
                                    ? 0
                                    : spec.training().brightnessJitter());
            BatchTransform evalTransform = BatchTransform.forDataset(
                    spec.dataset().name(), train.height(), train.width(), train.channels(), false);
            TrainingLoop loop = new TrainingLoop(
                    progress,
                    cancel,
                    StageCheckpoints.of(midPhase, rng, method.hooks().stream().allMatch(PhaseHook::resumesMidStage)));
            PhaseSession session = new PhaseSession(
                    new PhaseContext(
                            spec,
                            phase,
                            oldClasses,
                            totalClasses,
                            net,
                            previousNet,
                            manager,
                            trainTransform,
                            evalTransform,
                            rng,
                            loop,
                            train.height(),
                            train.width(),
                            train.channels(),
                            incrementalLabels,
                            phase == plan.phases().size() - 1),
                    Samples.empty(train.imageBytes()),
                    memory);
            session.setTraining(trainingSamples(session, phase));
            List<PhaseHook> hooks = method.hooks();
            session.setStepHooks(hooks.stream()
                    .filter(StepHook.class::isInstance)
                    .map(StepHook.class::cast)
                    .toList());
            if (phase > 0) {
                for (PhaseHook hook : hooks) {
                    hook.loadState(session, previousState);
                }
            }
            for (PhaseHook hook : hooks) {
                hook.beforeTraining(session);
            }
            if (trains) {
                progress.plan(session.mainStage().steps(session.training().size()));
            }
            for (PhaseHook hook : hooks) {
                progress.plan(hook.plannedSteps(session));
            }
            if (trains) {
                session.trainMainStage(method.lossesFor(oldClasses, newClasses.size()), epoch -> {
                    for (PhaseHook hook : hooks) {
                        hook.afterEpoch(session, epoch);
                    }
                });
            }
            for (PhaseHook hook : hooks) {
                hook.afterTraining(session);
            }
            if (method.memory() != null) {
                session.setMemory(method.memory()
                        .update(session, train, plan.classOrder().subList(0, oldClasses), newClasses, rng));
            }
            for (PhaseHook hook : hooks) {
                hook.afterMemoryUpdate(session);
            }
            boolean nme = method.keepsExemplars();
            float[][] classMeans = nme ? ClassMeans.compute(session, totalClasses) : null;
            long trainMillis = (System.nanoTime() - start) / 1_000_000;

            Samples testSamples = testSamples(totalClasses);
            Predictions predictions = Evaluator.predict(
                    net,
                    session.parameterStore(),
                    evalTransform,
                    manager,
                    testSamples,
                    train.height(),
                    train.width(),
                    train.channels(),
                    classMeans,
                    Predictions.taskStarts(phaseSizes(phase)));
            PhaseMetrics metrics = predictions.toMetrics(
                    phase,
                    newClasses,
                    phaseSizes(phase),
                    plan.classOrder(),
                    method.classifier() == ClassifierRule.NME,
                    session.memory().size(),
                    session.memory().memoryBytes(),
                    trainMillis,
                    progress.imagesPerSecond());
            metrics = metrics.withReport(FootprintReport.of(
                    net.getParameters().values(), session.memory().memoryBytes()));
            session.setEvaluation(testSamples, metrics.accuracy());
            for (PhaseHook hook : hooks) {
                metrics = metrics.withReport(hook.report(session));
            }
            List<Parameter> trained = new ArrayList<>(session.mainStageParameters());
            trained.addAll(net.aggregationWeights());
            metrics = metrics.withParameterCounts(
                    elements(trained),
                    elements(net.getParameters().values().stream()
                            .filter(p -> p.getType() != Parameter.Type.RUNNING_MEAN
                                    && p.getType() != Parameter.Type.RUNNING_VAR)
                            .toList()));
            new PhaseState(phase, net.segmentSizes(), plan.classOrder().subList(0, totalClasses), classMeans != null)
                    .write(stateDir, net, session.successor(), session.memory(), classMeans);
            for (PhaseHook hook : hooks) {
                hook.saveState(session, stateDir);
            }
            // for the exemplar download only: what optimisation started from
            try {
                Map<Integer, byte[]> originals = ExemplarOriginals.of(session.memory(), train);
                if (!originals.isEmpty()) {
                    ExemplarOriginals.write(stateDir.resolve(ExemplarOriginals.FILE_NAME), originals);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new PhaseOutcome(metrics, stateDir);
        }
    }

    /** Re-evaluates a saved state on the test split: the metrics a checkpoint reproduces. */
    public PhaseMetrics evaluate(int phase, Path stateDir, Device device) {
        Autograd.disable();
        PhaseState state = PhaseState.read(stateDir);
        ImageDataset train = data.train();
        int totalClasses = classesBefore(phase) + plan.phases().get(phase).size();
        // the network's initial draws are overwritten by the saved state; bound only to leave PyTorch's generator alone
        try (PhaseRandom.Binding draws = PhaseRandom.bind(phaseSeed(plan.spec(), phase));
                NDManager manager = NDManager.newBaseManager(device)) {
            IncrementalNet net = IncrementalNet.rebuild(builder(phase), inputShape(), state.segmentSizes(), manager);
            state.loadParameters(stateDir, net, manager);
            ExemplarSet memory = PhaseState.readMemory(stateDir);
            BatchTransform evalTransform = BatchTransform.forDataset(
                    plan.spec().dataset().name(), train.height(), train.width(), train.channels(), false);
            Predictions predictions = Evaluator.predict(
                    net,
                    new ai.djl.training.ParameterStore(manager, false),
                    evalTransform,
                    manager,
                    testSamples(totalClasses),
                    train.height(),
                    train.width(),
                    train.channels(),
                    state.readClassMeans(stateDir),
                    Predictions.taskStarts(phaseSizes(phase)));
            return predictions
                    .toMetrics(
                            phase,
                            plan.phases().get(phase),
                            phaseSizes(phase),
                            plan.classOrder(),
                            method.classifier() == ClassifierRule.NME,
                            memory.size(),
                            memory.memoryBytes(),
                            0,
                            0)
                    .withReport(FootprintReport.of(net.getParameters().values(), memory.memoryBytes()));
        }
    }

    /** The seed of every random draw of {@code phase}: a function of the spec's seed and the phase alone. */
    static long phaseSeed(ExperimentSpec spec, int phase) {
        return spec.seedOrDefault() * 1_000_003L + phase;
    }

    private static long elements(List<Parameter> parameters) {
        return parameters.stream().mapToLong(p -> p.getArray().size()).sum();
    }

    /** The network {@code phase} trains and evaluates: the continuation network as the network hooks shape it. */
    private IncrementalNet.Builder builder(int phase) {
        IncrementalNet.Builder builder = continuationBuilder(phase);
        for (NetworkHook hook : networkHooks()) {
            hook.shape(builder, phase, plan.spec().model(), inputShape());
        }
        return builder;
    }

    private List<NetworkHook> networkHooks() {
        return method.hooks().stream()
                .filter(NetworkHook.class::isInstance)
                .map(NetworkHook.class::cast)
                .toList();
    }

    /** The network the phase after {@code phase} starts from: a network hook's successor where it sets one, else the phase's own. */
    private IncrementalNet.Builder continuationBuilder(int phase) {
        Shape input = inputShape();
        return networkBuilder(plan.spec(), method, (int) input.get(1), (int) input.get(2), (int) input.get(3), phase);
    }

    /**
     * The network a phase of {@code spec} trains before any network hook shapes it: the spec's
     * backbone and head with the method's head, its hooks' head options and BiC layer.
     */
    public static IncrementalNet.Builder networkBuilder(
            ExperimentSpec spec, CilMethod method, int channels, int height, int width, int phase) {
        IncrementalNet.Builder builder = IncrementalNet.builderFor(spec.model(), channels, height, width, phase);
        if (method.head() != null) {
            builder.optHead(method.head());
        }
        for (PhaseHook hook : method.hooks()) {
            if (hook instanceof NetworkHook network) {
                network.shapeHead(builder);
            }
        }
        return builder.optBiasCorrection(method.biasCorrectionLayer());
    }

    /** The network input (1, C, H, W): what the transforms crop from the stored images. */
    private Shape inputShape() {
        ImageDataset train = data.train();
        BatchTransform eval = BatchTransform.forDataset(
                plan.spec().dataset().name(), train.height(), train.width(), train.channels(), false);
        return new Shape(1, train.channels(), eval.outputHeight(), eval.outputWidth());
    }

    private int classesBefore(int phase) {
        int classes = 0;
        for (int p = 0; p < phase; p++) {
            classes += plan.phases().get(p).size();
        }
        return classes;
    }

    private List<Integer> phaseSizes(int phase) {
        List<Integer> sizes = new ArrayList<>();
        for (int p = 0; p <= phase; p++) {
            sizes.add(plan.phases().get(p).size());
        }
        return sizes;
    }

    private Samples trainingSamples(PhaseSession session, int phase) {
        List<Integer> classes = switch (method.trainingData()) {
            case ALL_SEEN_CLASSES ->
                plan.classOrder()
                        .subList(
                                0,
                                classesBefore(phase) + plan.phases().get(phase).size());
            default -> plan.phases().get(phase);
        };
        Samples samples = relabelled(data.train(), classes);
        if (method.trainingData() == TrainingData.NEW_CLASSES_AND_EXEMPLARS) {
            samples = samples.concat(session.memorySamples());
        }
        return samples;
    }

    private Samples testSamples(int seenClasses) {
        return relabelled(data.test(), plan.classOrder().subList(0, seenClasses));
    }

    private Samples relabelled(ImageDataset split, List<Integer> classes) {
        ImageDataset subset = split.subset(split.indicesOfLabels(classes));
        int[] labels = new int[subset.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = incrementalLabels[subset.labels()[i]];
        }
        return new Samples(subset.pixels(), labels, subset.imageBytes());
    }
}
