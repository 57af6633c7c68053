package org.mnemos.engine.parts.model.aanets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.model.AggregatedBackbone;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.optim.Gradients;
import org.mnemos.engine.optim.LrSchedule;
import org.mnemos.engine.optim.LrSchedules;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.optim.Optimizers;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.NetworkHook;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;
import org.mnemos.engine.phase.TrainingStage;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.util.Autograd;

/**
 * AANets' aggregation weights, learned once per epoch of the main stage, after its pass over the
 * (imbalanced) training set, as yaoyao-liu/class-incremental-learning@6a92ab0
 * (adaptive-aggregation-networks, {@code trainer/incremental_lucir.py}, {@code incremental_icarl.py})
 * does: one pass over a class-balanced set — the new classes' draws first, then every exemplar,
 * unshuffled, in batches of 100 (the code's test batch size), at most 501 of them — with training
 * augmentation, the branches in evaluation mode and the method's classification loss. SGD with
 * momentum 0.9 and weight decay 5e-4 on one optimizer for the whole phase, its learning rate
 * following the main schedule.
 *
 * <p>When gradients accumulate (LUCIR's trainer never zeroes them), each step applies the sum of
 * every backward pass so far, the main training's included, and the sum carries over to the next
 * phase (saved with the phase's state). Unless the spec gives {@code fusionLr}, the learning rate
 * is derived so that the phase's update budget — Σ over its α steps of the step's learning rate
 * times the backward passes the step applies — equals the official code's at its defaults
 * ({@link AanetsSpec#CODE_UPDATE_BUDGET}): a phase of 8 epochs then gets the update a phase of 160
 * epochs gets in the code. One instance serves one phase.
 */
public final class AggregationWeightLearning implements PhaseHook, NetworkHook {

    static final String STAGE = "aggregation";
    /** The aggregation weights' accumulated gradients, one float per level, for the next phase. */
    static final String GRADIENT_FILE = "aggregation-gradients.bin";
    /** The code's balanced loader: {@code test_batch_size} 100, not shuffled. */
    static final int BALANCED_BATCH = 100;
    /** The code's LUCIR trainer stops a pass after batch index 500. */
    static final int MAX_STEPS_PER_PASS = 501;

    private static final double MOMENTUM = 0.9;
    private static final double WEIGHT_DECAY = 5e-4;
    private static final ScheduleSpec CONSTANT = new ScheduleSpec("constant", null, null);

    private final CilMethod method;
    private final Double specLr;
    private final boolean accumulateGradients;
    private final List<List<Double>> history = new ArrayList<>();
    private float[] carriedGradient;
    private double fusionLr;
    private long steps;
    private LossTerm classification;
    private Samples balanced;
    private Optimizer optimizer;

    public AggregationWeightLearning(AanetsSpec spec, CilMethod method) {
        AanetsSpec options = spec.resolved(AanetsPart.accumulatesByDefault(method.name()));
        this.method = method;
        this.specLr = options.fusionLr();
        this.accumulateGradients = options.accumulateFusionGradients();
    }

    @Override
    public void loadState(PhaseSession session, Path previousState) {
        Path file = previousState.resolve(GRADIENT_FILE);
        if (!accumulateGradients || !Files.exists(file)) {
            return;
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            carriedGradient = new float[in.readInt()];
            for (int i = 0; i < carriedGradient.length; i++) {
                carriedGradient[i] = in.readFloat();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void beforeTraining(PhaseSession session) {
        List<Parameter> weights = session.net().aggregationWeights();
        if (weights.isEmpty()) {
            return;
        }
        if (carriedGradient != null) {
            seedGradients(session, weights, carriedGradient);
        }
        classification = method.lossesFor(session.oldClasses(), session.totalClasses() - session.oldClasses())
                .get(0);
        balanced = balancedSet(session);
        fusionLr = specLr != null ? specLr : AanetsSpec.CODE_UPDATE_BUDGET / budgetUnits(session);
        if (fusionLr > 0) {
            optimizer =
                    Optimizers.create(new OptimizerSpec("sgd", fusionLr, MOMENTUM, WEIGHT_DECAY, false, null, null));
        }
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        return optimizer == null ? 0 : passes(session) * stepsPerPass(balanced.size());
    }

    /** Not mid-stage: the aggregation weights' optimizer steps after every epoch of the main stage, outside a checkpoint. */
    @Override
    public boolean resumesMidStage() {
        return false;
    }

    @Override
    public void afterEpoch(PhaseSession session, int epoch) {
        if (balanced == null) {
            return;
        }
        if (optimizer != null) {
            session.trainInEvalMode(
                    stage(scheduleFactor(session, epoch) * fusionLr, balanced.size()),
                    session.net().aggregationWeights(),
                    balanced,
                    List.of(classification),
                    optimizer);
            steps += stepsPerPass(balanced.size());
        }
        history.add(((AggregatedBackbone) session.net().backbone()).aggregationWeightValues());
    }

    @Override
    public void afterTraining(PhaseSession session) {
        if (optimizer != null) {
            optimizer.close();
            optimizer = null;
        }
    }

    @Override
    public void saveState(PhaseSession session, Path stateDir) {
        List<Parameter> weights = session.net().aggregationWeights();
        if (!accumulateGradients
                || weights.isEmpty()
                || !weights.get(0).getArray().hasGradient()) {
            return;
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(stateDir.resolve(GRADIENT_FILE)))) {
            out.writeInt(weights.size());
            for (Parameter weight : weights) {
                out.writeFloat(weight.getArray().getGradient().getFloat(0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Both branches of phase 1 start from the single network of phase 0; later phases continue the aggregated one. */
    @Override
    public IncrementalNet startFrom(IncrementalNet previous, int phase, Supplier<IncrementalNet> rebuilt) {
        if (phase != 1) {
            return previous;
        }
        IncrementalNet aggregated = rebuilt.get();
        aggregated.startBranchesFrom(previous);
        return aggregated;
    }

    @Override
    public PartReport report(PhaseSession session) {
        return history.isEmpty()
                ? null
                : new AggregationWeightsReport(List.copyOf(history), fusionLr, steps, accumulateGradients);
    }

    /**
     * Makes the previous phase's accumulated gradients the weights' gradients: zeroes whatever they
     * hold, then a backward pass of Σ α_k·g_k, whose gradient is g exactly.
     */
    private static void seedGradients(PhaseSession session, List<Parameter> weights, float[] gradient) {
        if (gradient.length != weights.size()) {
            throw new IllegalStateException("the previous phase saved " + gradient.length
                    + " aggregation gradients for " + weights.size() + " levels");
        }
        Gradients.zero(weights);
        try (NDManager step = session.manager().newSubManager()) {
            NDArray sum = null;
            Autograd.enable();
            try {
                for (int level = 0; level < weights.size(); level++) {
                    // the constant first, so that the product lives in the step's manager, not the parameter's
                    NDArray term = step.create(new float[] {gradient[level]})
                            .mul(weights.get(level).getArray())
                            .sum();
                    sum = sum == null ? term : sum.add(term);
                }
                Autograd.backward(sum);
            } finally {
                Autograd.disable();
            }
        }
    }

    /**
     * Σ over the phase's α steps of the step's schedule factor times the backward passes whose
     * gradients it applies: every pass since the phase began when they accumulate, its own otherwise.
     */
    private double budgetUnits(PhaseSession session) {
        int perPass = stepsPerPass(balanced.size());
        double units = 0;
        for (int pass = 0; pass < passes(session); pass++) {
            long before = accumulateGradients ? mainStepsThrough(session, pass) + (long) pass * perPass : 0;
            double factor = scheduleFactor(session, pass);
            for (int j = 0; j < perPass; j++) {
                units += factor * (accumulateGradients ? before + j + 1 : 1);
            }
        }
        return units;
    }

    /** How many α passes the phase takes: one per epoch of the main stage (in iteration mode, counted in images seen). */
    private static int passes(PhaseSession session) {
        TrainingStage main = session.mainStage();
        int samples = Math.max(session.training().size(), 1);
        return main.epochs() > 0
                ? main.epochs()
                : (int) ((long) (main.iterations() - 1) * main.batchSize() / samples + 1);
    }

    /** Main-stage steps (backward passes) taken by the end of epoch {@code pass}. */
    private static long mainStepsThrough(PhaseSession session, int pass) {
        TrainingStage main = session.mainStage();
        int samples = Math.max(session.training().size(), 1);
        if (main.epochs() > 0) {
            return (pass + 1) * (main.steps(samples) / main.epochs());
        }
        long reached = ((long) (pass + 1) * samples + main.batchSize() - 1) / main.batchSize();
        return Math.min(main.iterations(), reached);
    }

    /** The main schedule's factor on the learning rate at the end of epoch {@code pass}. */
    private static double scheduleFactor(PhaseSession session, int pass) {
        TrainingStage main = session.mainStage();
        if (main.epochs() > 0) {
            return LrSchedules.create(main.schedule(), 1.0, main.epochs()).lr(pass);
        }
        LrSchedule schedule = LrSchedules.create(main.schedule(), 1.0, main.iterations());
        long iteration = (long) (pass + 1) * session.training().size() / main.batchSize();
        return schedule.lr((int) Math.min(iteration, main.iterations() - 1));
    }

    /** One unshuffled pass over the balanced set in batches of 100, at most 501 of them. */
    private TrainingStage stage(double lr, int samples) {
        OptimizerSpec sgd = new OptimizerSpec("sgd", lr, MOMENTUM, WEIGHT_DECAY, false, null, null);
        int perPass = stepsPerPass(samples);
        return perPass < MAX_STEPS_PER_PASS
                ? new TrainingStage(STAGE, 1, 0, BALANCED_BATCH, sgd, CONSTANT, accumulateGradients, false)
                : new TrainingStage(STAGE, 0, perPass, BALANCED_BATCH, sgd, CONSTANT, accumulateGradients, false);
    }

    static int stepsPerPass(int samples) {
        long perEpoch = new TrainingStage(STAGE, 1, 0, BALANCED_BATCH, null, CONSTANT).steps(samples);
        return (int) Math.min(perEpoch, MAX_STEPS_PER_PASS);
    }

    /**
     * The new classes' images, each class drawn with replacement to the memory's count per old
     * class, then every exemplar (the code's order: {@code concatenate((X_train_this_step[the_idx], X_protoset))}).
     */
    static Samples balancedSet(PhaseSession session) {
        Samples exemplars = session.memorySamples();
        int oldClasses = session.oldClasses();
        if (oldClasses == 0 || exemplars.size() == 0) {
            throw new IllegalStateException("AANets learns its aggregation weights on exemplars; the memory is empty");
        }
        int perClass = Math.max(1, Math.round((float) exemplars.size() / oldClasses));
        Samples training = session.training();
        int newClasses = session.totalClasses() - oldClasses;
        int[] drawn = new int[newClasses * perClass];
        for (int c = 0; c < newClasses; c++) {
            int[] ofClass = training.indicesOfLabels(oldClasses + c, oldClasses + c + 1);
            for (int i = 0; i < perClass; i++) {
                drawn[c * perClass + i] = ofClass[session.rng().nextInt(ofClass.length)];
            }
        }
        return training.subset(drawn).concat(exemplars);
    }
}
