package org.mnemos.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.DatasetInfo;
import org.mnemos.engine.memory.MemoryBudget;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.model.CheckpointLocator;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.InitCheckpoint;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.phase.PhaseRunner;
import org.mnemos.engine.protocol.ClassOrders;
import org.mnemos.engine.protocol.PhasePlanner;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InitSpec;

/**
 * The engine the service dispatches: plans a run, trains one phase at a time from the state the
 * previous phase left, and evaluates a saved state. No Spring here; usable on its own.
 */
public final class CilEngine {

    private final DatasetCatalog datasets;
    private final CheckpointLocator checkpoints;

    public CilEngine(DatasetCatalog datasets) {
        this(datasets, CheckpointLocator.NONE);
    }

    /** @param checkpoints finds the uploaded checkpoints {@code model.init} names */
    public CilEngine(DatasetCatalog datasets, CheckpointLocator checkpoints) {
        this.datasets = datasets;
        this.checkpoints = checkpoints;
    }

    /**
     * The network a phase trains, as {@link PhaseRunner} builds it: the spec's backbone and head, with
     * the method's head, proxies and BiC layer (FOSTER's second extractor and AANets' branches aside).
     */
    public static IncrementalNet.Builder networkBuilder(
            ExperimentSpec spec, int channels, int height, int width, int phase) {
        return PhaseRunner.networkBuilder(spec, Parts.forRun(spec), channels, height, width, phase);
    }

    /** The uploaded checkpoint must fit phase 0's network and classes (header only; the values load in phase 0). */
    private void checkInit(ExperimentSpec spec, DatasetInfo info, List<Integer> phaseZeroClasses) {
        InitSpec init = spec.model().init();
        if (init.checkpoint() == null) {
            throw new SpecException(InitCheckpoint.FIELD, "is required: the id of an uploaded checkpoint");
        }
        if (!InitSpec.USES.contains(init.use())) {
            throw new SpecException("model.init.use", "unknown use '" + init.use() + "'; allowed: " + InitSpec.USES);
        }
        Path file = checkpoints.locate(init.checkpoint());
        if (file == null) {
            throw new SpecException(
                    InitCheckpoint.FIELD, "no uploaded checkpoint has the id '" + init.checkpoint() + "'");
        }
        BatchTransform eval =
                BatchTransform.forDataset(info.name(), info.height(), info.width(), info.channels(), false);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = IncrementalNet.rebuild(
                    networkBuilder(spec, info.channels(), eval.outputHeight(), eval.outputWidth(), 0),
                    new Shape(1, info.channels(), eval.outputHeight(), eval.outputWidth()),
                    List.of(phaseZeroClasses.size()),
                    manager);
            InitCheckpoint.check(net, file, phaseZeroClasses);
        }
    }

    public DatasetCatalog datasets() {
        return datasets;
    }

    /** The side of the network input: the crop of the stored images (their side where they are not cropped). */
    private static int inputSide(DatasetInfo info) {
        return org.mnemos.engine.data.BatchTransform.inputSide(info.name(), Math.min(info.height(), info.width()));
    }

    /**
     * Checks the spec's parts, fills the spec's defaults and resolves class order and phases,
     * without loading images.
     *
     * @throws SpecException naming the offending field
     */
    public RunPlan plan(ExperimentSpec submitted) {
        if (submitted.dataset() == null || submitted.dataset().name() == null) {
            throw new SpecException("dataset.name", "is required");
        }
        DatasetInfo info = datasets.describe(submitted.dataset());
        if (!info.available() && !datasets.downloadsEnabled()) {
            throw new SpecException("dataset.name", datasets.missingMessage(info.name()));
        }
        SpecProblems problems = new SpecProblems(SpecProblems.Limits.NONE);
        Parts.check(submitted, problems);
        problems.throwFirst();
        ExperimentSpec spec = SpecDefaults.resolve(submitted, info.channels());
        MemoryBudget.of(spec.memory());
        if (Parts.method(spec.method().name()).isDataFree()
                && !org.mnemos.engine.model.Generator.supports(info.channels(), inputSide(info), inputSide(info))) {
            throw new SpecException(
                    "method.name",
                    spec.method().name() + " dreams with a generator made for square images of side "
                            + "8-32 (a multiple of 4), 64 or 224 with 1 or 3 channels; " + info.name()
                            + " gives the network "
                            + info.channels() + "x" + inputSide(info) + "x" + inputSide(info));
        }
        var protocol = spec.protocol();
        int classes = info.classNames().size();
        List<Integer> order =
                ClassOrders.resolve(protocol.classOrder(), protocol.classOrderSeed(), protocol.classList(), classes);
        List<List<Integer>> phases = PhasePlanner.phases(protocol, order, classes);
        List<Integer> planned = new ArrayList<>();
        phases.forEach(planned::addAll);
        List<String> names =
                planned.stream().map(label -> info.classNames().get(label)).toList();
        if (spec.model().init() != null) {
            checkInit(spec, info, phases.get(0));
        }
        return new RunPlan(spec, List.copyOf(planned), phases, names);
    }

    /**
     * Trains phase {@code phase} of {@code plan}.
     *
     * @param previousState the state directory phase-1 produced; null for phase 0
     * @param stateDir an empty directory where this phase's state is written
     */
    public PhaseOutcome runPhase(
            RunPlan plan,
            int phase,
            Path previousState,
            Path stateDir,
            Device device,
            TrainingListener listener,
            CancellationSignal cancel) {
        return runPhase(plan, phase, previousState, stateDir, device, listener, cancel, MidPhaseCheckpoints.NONE);
    }

    /**
     * As above, taking mid-phase checkpoints into {@code midPhase} and resuming from its last one:
     * the outcome is bit for bit that of an uninterrupted run.
     */
    public PhaseOutcome runPhase(
            RunPlan plan,
            int phase,
            Path previousState,
            Path stateDir,
            Device device,
            TrainingListener listener,
            CancellationSignal cancel,
            MidPhaseCheckpoints midPhase) {
        checkPhase(plan, phase);
        if (phase > 0 && previousState == null) {
            throw new IllegalArgumentException("phase " + phase + " needs the state of phase " + (phase - 1));
        }
        return new PhaseRunner(plan, datasets.load(plan.spec().dataset()), Parts.compose(plan.spec()), checkpoints)
                .run(phase, previousState, stateDir, device, listener, cancel, midPhase);
    }

    /** Loads a saved phase state and evaluates it on the test split, reproducing its metrics. */
    public PhaseMetrics evaluate(RunPlan plan, int phase, Path stateDir, Device device) {
        checkPhase(plan, phase);
        return new PhaseRunner(plan, datasets.load(plan.spec().dataset()), Parts.compose(plan.spec()), checkpoints)
                .evaluate(phase, stateDir, device);
    }

    private static void checkPhase(RunPlan plan, int phase) {
        if (phase < 0 || phase >= plan.phaseCount()) {
            throw new IllegalArgumentException("phase " + phase + " is outside [0, " + plan.phaseCount() + ")");
        }
    }
}
