package org.mnemos.engine.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DatasetSplits;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.ExemplarHeatmaps;
import org.mnemos.engine.memory.ExemplarOriginals;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.method.CilMethod;
import org.mnemos.engine.method.ClassMeans;
import org.mnemos.engine.method.ClassifierRule;
import org.mnemos.engine.method.MemoryUpdate;
import org.mnemos.engine.method.Methods;
import org.mnemos.engine.method.PhaseHook;
import org.mnemos.engine.method.PhaseSession;
import org.mnemos.engine.method.Samples;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.metrics.Predictions;
import org.mnemos.engine.model.Backbones;
import org.mnemos.engine.model.CheckpointLocator;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.InitCheckpoint;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InitSpec;

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

    public PhaseRunner(RunPlan plan, DatasetSplits data) {
        this(plan, data, CheckpointLocator.NONE);
    }

    /** @param checkpoints finds the uploaded checkpoint phase 0 starts from ({@code model.init}) */
    public PhaseRunner(RunPlan plan, DatasetSplits data, CheckpointLocator checkpoints) {
        this.checkpoints = checkpoints;
        this.plan = plan;
        this.data = data;
        this.method = Methods.forRun(plan.spec());
        this.incrementalLabels = new int[data.numClasses()];
        java.util.Arrays.fill(incrementalLabels, -1);
        for (int i = 0; i < plan.classOrder().size(); i++) {
            incrementalLabels[plan.classOrder().get(i)] = i;
        }
    }

    public PhaseOutcome run(
            int phase, Path previousState, Path stateDir, Device device, TrainingListener listener, CancellationSignal cancel) {
        ExperimentSpec spec = plan.spec();
        Autograd.disable();
        long seed = spec.seedOrDefault() * 1_000_003L + phase;
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        long start = System.nanoTime();
        ImageDataset train = data.train();
        int oldClasses = classesBefore(phase);
        List<Integer> newClasses = plan.phases().get(phase);
        int totalClasses = oldClasses + newClasses.size();
        PhaseProgress progress = new PhaseProgress(phase, listener);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            IncrementalNet net;
            IncrementalNet previousNet = null;
            ExemplarSet memory;
            if (phase == 0) {
                net = IncrementalNet.rebuild(builder(0), inputShape(), List.of(), manager);
                memory = ExemplarSet.empty(train.height(), train.width(), train.channels());
            } else {
                PhaseState previous = PhaseState.read(previousState);
                net = IncrementalNet.rebuild(continuationBuilder(phase - 1), inputShape(), previous.segmentSizes(), manager);
                previous.loadContinuation(previousState, net, manager);
                if (method.needsPreviousModel(oldClasses, newClasses.size()) || method.head() != null) {
                    previousNet = net.copy(manager);
                }
                if (Backbones.aggregates(spec.model(), phase) && !Backbones.aggregates(spec.model(), phase - 1)) {
                    // AANets: both branches start from the single network of phase 0
                    IncrementalNet single = net;
                    net = IncrementalNet.rebuild(builder(phase), inputShape(), previous.segmentSizes(), manager);
                    net.startBranchesFrom(single);
                }
                if (Methods.boostsFeatures(method)) {
                    // FOSTER: the phase trains a second extractor next to the previous network's
                    IncrementalNet single = net;
                    net = IncrementalNet.rebuild(builder(phase), inputShape(), previous.segmentSizes(), manager);
                    Methods.startBoosting(net, single);
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
                    spec.dataset().name(), train.height(), train.width(), train.channels(), Boolean.TRUE.equals(spec.training().augment()))
                    .withBrightnessJitter(spec.training().brightnessJitter() == null ? 0 : spec.training().brightnessJitter());
            BatchTransform evalTransform = BatchTransform.forDataset(
                    spec.dataset().name(), train.height(), train.width(), train.channels(), false);
            TrainingLoop loop = new TrainingLoop(progress, cancel);
            PhaseSession session = new PhaseSession(
                    spec, phase, oldClasses, totalClasses, net, previousNet, manager, trainTransform, evalTransform,
                    rng, loop, Samples.empty(train.imageBytes()), memory,
                    train.height(), train.width(), train.channels(), incrementalLabels);
            session.setTraining(trainingSamples(session, phase));
            session.setLastPhase(phase == plan.phases().size() - 1);

            List<PhaseHook> hooks = new ArrayList<>(method.hooks());
            hooks.addAll(Methods.modelHooks(method, spec.model()));
            MemoryUpdate memoryUpdate = method.keepsExemplars() ? MemoryUpdate.of(spec.memory()) : null;
            if (memoryUpdate != null) {
                hooks.addAll(memoryUpdate.hooks());
            }
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
            if (memoryUpdate != null) {
                progress.plan(memoryUpdate.plannedSteps(session));
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
            if (memoryUpdate != null) {
                session.setMemory(memoryUpdate.update(session, train, plan.classOrder().subList(0, oldClasses), newClasses, rng));
            }
            for (PhaseHook hook : hooks) {
                hook.afterMemoryUpdate(session);
            }
            boolean nme = method.keepsExemplars();
            float[][] classMeans = nme ? ClassMeans.compute(session, totalClasses) : null;
            long trainMillis = (System.nanoTime() - start) / 1_000_000;

            Samples test = testSamples(totalClasses);
            Predictions predictions = Evaluator.predict(
                    net, session.parameterStore(), evalTransform, manager, test,
                    train.height(), train.width(), train.channels(), classMeans);
            PhaseMetrics metrics = predictions.toMetrics(
                    phase, newClasses, phaseSizes(phase), plan.classOrder(), method.classifier() == ClassifierRule.NME,
                    session.memory().size(), session.memory().memoryBytes(), trainMillis, progress.imagesPerSecond())
                    .withMnemonics(session.mnemonicsMetrics())
                    .withInversion(session.inversionReport());
            if (memoryUpdate != null) {
                metrics = metrics.withMemory(memoryUpdate.report(session.memory(), totalClasses));
            }
            if (session.successor() != null) {
                int[] truth = predictions.truth();
                int[] student = Evaluator.predict(session.successor(), session.parameterStore(), evalTransform, manager,
                        test, train.height(), train.width(), train.channels(), null).cnn();
                metrics = metrics.withStudentAccuracy(Predictions.accuracy(truth, student, 0, totalClasses));
            }
            for (PhaseHook hook : hooks) {
                metrics = hook.report(metrics);
            }
            List<Parameter> trained = new ArrayList<>(session.mainStageParameters());
            trained.addAll(net.aggregationWeights());
            metrics = metrics.withParameterCounts(elements(trained), elements(net.getParameters().values().stream()
                    .filter(p -> p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR)
                    .toList()));
            new PhaseState(phase, net.segmentSizes(), plan.classOrder().subList(0, totalClasses), classMeans != null)
                    .write(stateDir, net, session.successor(), session.memory(), classMeans);
            for (PhaseHook hook : hooks) {
                hook.saveState(session, stateDir);
            }
            // for the exemplar download only: what compression kept, and what optimisation started from
            try {
                if (session.heatmaps() != null) {
                    ExemplarHeatmaps.write(stateDir.resolve(ExemplarHeatmaps.FILE_NAME), session.heatmaps());
                }
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
        try (NDManager manager = NDManager.newBaseManager(device)) {
            IncrementalNet net = IncrementalNet.rebuild(builder(phase), inputShape(), state.segmentSizes(), manager);
            state.loadParameters(stateDir, net, manager);
            ExemplarSet memory = PhaseState.readMemory(stateDir);
            BatchTransform evalTransform = BatchTransform.forDataset(
                    plan.spec().dataset().name(), train.height(), train.width(), train.channels(), false);
            Predictions predictions = Evaluator.predict(
                    net, new ai.djl.training.ParameterStore(manager, false), evalTransform, manager,
                    testSamples(totalClasses), train.height(), train.width(), train.channels(), state.readClassMeans(stateDir));
            return predictions.toMetrics(
                    phase, plan.phases().get(phase), phaseSizes(phase), plan.classOrder(),
                    method.classifier() == ClassifierRule.NME, memory.size(), memory.memoryBytes(), 0, 0);
        }
    }

    private static long elements(List<Parameter> parameters) {
        return parameters.stream().mapToLong(p -> p.getArray().size()).sum();
    }

    /** The network of {@code phase}: AANets aggregates branches from phase 1 on, FOSTER adds a second extractor. */
    private IncrementalNet.Builder builder(int phase) {
        IncrementalNet.Builder builder = continuationBuilder(phase);
        if (phase > 0 && Methods.boostsFeatures(method)) {
            Shape input = inputShape();
            builder.setBackbone(Methods.boostedBackbone(
                    Backbones.create(plan.spec().model(), (int) input.get(1), (int) input.get(2), (int) input.get(3))));
        }
        return builder;
    }

    /** The network the phase after {@code phase} starts from: FOSTER's single-extractor student, else the phase's own. */
    private IncrementalNet.Builder continuationBuilder(int phase) {
        Shape input = inputShape();
        IncrementalNet.Builder builder = IncrementalNet.builderFor(
                plan.spec().model(), (int) input.get(1), (int) input.get(2), (int) input.get(3), phase);
        if (method.head() != null) {
            builder.optHead(method.head());
        }
        if (plan.spec().method().proxiesPerClass() != null) {
            builder.optProxiesPerClass(plan.spec().method().proxiesPerClass());
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
            case ALL_SEEN_CLASSES -> plan.classOrder().subList(0, classesBefore(phase) + plan.phases().get(phase).size());
            default -> plan.phases().get(phase);
        };
        Samples samples = relabelled(data.train(), classes);
        if (method.trainingData() == org.mnemos.engine.method.TrainingData.NEW_CLASSES_AND_EXEMPLARS) {
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
