package org.mnemos.engine.parts.model.aanets;

import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.model.AggregatedBackbone;
import org.mnemos.engine.model.IncrementalNet;
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

/**
 * AANets' aggregation weights, learned once per epoch of the main stage, after its pass over the
 * (imbalanced) training set: one pass over a class-balanced set — every exemplar, plus each new
 * class's images drawn with replacement to the exemplars' count per class — with training
 * augmentation, the branches in evaluation mode and the method's classification loss. SGD with
 * momentum 0.9 and weight decay 5e-4 on one optimizer for the whole phase, its learning rate
 * following the main schedule. One instance serves one phase: it holds the balanced set, the
 * optimizer and the α recorded after each epoch.
 */
public final class AggregationWeightLearning implements PhaseHook, NetworkHook {

    static final String STAGE = "aggregation";
    private static final double MOMENTUM = 0.9;
    private static final double WEIGHT_DECAY = 5e-4;
    private static final ScheduleSpec CONSTANT = new ScheduleSpec("constant", null, null);

    private final CilMethod method;
    private final double fusionLr;
    private final boolean accumulateGradients;
    private final List<List<Double>> history = new ArrayList<>();
    private LossTerm classification;
    private Samples balanced;
    private Optimizer optimizer;

    public AggregationWeightLearning(AanetsSpec spec, CilMethod method) {
        AanetsSpec options = spec.resolved();
        this.method = method;
        this.fusionLr = options.fusionLr();
        this.accumulateGradients = options.accumulateFusionGradients();
    }

    @Override
    public void beforeTraining(PhaseSession session) {
        if (session.net().aggregationWeights().isEmpty()) {
            return;
        }
        classification = method.lossesFor(session.oldClasses(), session.totalClasses() - session.oldClasses()).get(0);
        balanced = balancedSet(session);
        optimizer = Optimizers.create(new OptimizerSpec("sgd", fusionLr, MOMENTUM, WEIGHT_DECAY, false, null, null));
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        if (balanced == null) {
            return 0;
        }
        TrainingStage main = session.mainStage();
        int samples = Math.max(session.training().size(), 1);
        // as many passes as the main stage reports epochs: in iteration mode, counted in images seen
        long passes = main.epochs() > 0 ? main.epochs() : (long) (main.iterations() - 1) * main.batchSize() / samples + 1;
        return passes * stage(session, fusionLr).steps(balanced.size());
    }

    @Override
    public void afterEpoch(PhaseSession session, int epoch) {
        if (balanced == null) {
            return;
        }
        List<Parameter> weights = session.net().aggregationWeights();
        session.trainInEvalMode(
                stage(session, scheduledLr(session, epoch)), weights, balanced, List.of(classification), optimizer);
        history.add(((AggregatedBackbone) session.net().backbone()).aggregationWeightValues());
    }

    @Override
    public void afterTraining(PhaseSession session) {
        if (optimizer != null) {
            optimizer.close();
            optimizer = null;
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
        return history.isEmpty() ? null : new AggregationWeightsReport(List.copyOf(history));
    }

    /** The fusion learning rate under the main stage's schedule at the end of this pass. */
    private double scheduledLr(PhaseSession session, int epoch) {
        TrainingStage main = session.mainStage();
        if (main.epochs() > 0) {
            return LrSchedules.create(main.schedule(), fusionLr, main.epochs()).lr(epoch);
        }
        LrSchedule schedule = LrSchedules.create(main.schedule(), fusionLr, main.iterations());
        long iteration = (long) (epoch + 1) * session.training().size() / main.batchSize();
        return schedule.lr((int) Math.min(iteration, main.iterations() - 1));
    }

    private TrainingStage stage(PhaseSession session, double lr) {
        return new TrainingStage(STAGE, 1, 0, session.spec().training().batchSize(),
                new OptimizerSpec("sgd", lr, MOMENTUM, WEIGHT_DECAY, false, null, null), CONSTANT, accumulateGradients);
    }

    /**
     * Every exemplar, and for each new class as many of its training images, drawn with
     * replacement, as the memory holds per old class.
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
