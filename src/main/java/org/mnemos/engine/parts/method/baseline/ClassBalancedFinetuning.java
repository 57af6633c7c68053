package org.mnemos.engine.parts.method.baseline;

import ai.djl.nn.Parameter;
import java.util.List;
import org.mnemos.engine.memory.MemoryBudget;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.TrainingStage;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;

/**
 * Class-balanced finetuning of the classifier on the exemplar memory once it holds every seen class
 * equally: LUCIR's optional CBF (the whole classifier, cosine schedule) or PODNet's finetuning
 * (constant lr, the classifier's weights only: not the scale, and not the old classes' proxies,
 * which stay fixed as in the main stage).
 */
public final class ClassBalancedFinetuning implements PhaseHook {

    private final int epochs;
    private final LossTerm classification;
    private final double lr;
    private final ScheduleSpec schedule;
    private final boolean classifierWeightsOnly;

    private ClassBalancedFinetuning(
            int epochs, LossTerm classification, double lr, ScheduleSpec schedule, boolean classifierWeightsOnly) {
        this.epochs = epochs;
        this.classification = classification;
        this.lr = lr;
        this.schedule = schedule;
        this.classifierWeightsOnly = classifierWeightsOnly;
    }

    /** LUCIR's class-balanced finetuning: the whole head at lr 0.01, cosine schedule. */
    public static ClassBalancedFinetuning lucir(int epochs, LossTerm classification) {
        return new ClassBalancedFinetuning(epochs, classification, 0.01, new ScheduleSpec("cosine", null, null), false);
    }

    /** PODNet's finetuning (CIFAR config): lr 0.05 constant, trainable classifier weights only. */
    public static ClassBalancedFinetuning podnet(int epochs, LossTerm classification) {
        return new ClassBalancedFinetuning(
                epochs, classification, 0.05, new ScheduleSpec("constant", null, null), true);
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        if (session.oldClasses() == 0) {
            return 0;
        }
        // the memory this hook will train on is the one after the update: the budget for every seen class
        int perClass =
                MemoryBudget.of(session.spec().memory()).perClassFor(session.totalClasses(), session.imageBytes());
        return stage(session).steps(perClass * session.totalClasses());
    }

    @Override
    public void afterMemoryUpdate(PhaseSession session) {
        if (session.oldClasses() == 0 || session.memory().size() < 2) {
            return;
        }
        session.train(stage(session), trainable(session), session.memorySamples(), List.of(classification));
    }

    List<Parameter> trainable(PhaseSession session) {
        List<Parameter> head = session.headParameters();
        if (!classifierWeightsOnly) {
            return head;
        }
        Parameter scale = session.net().scale();
        return head.stream()
                .filter(p -> scale == null || !p.getId().equals(scale.getId()))
                .filter(p -> !session.isFrozen(p))
                .toList();
    }

    private TrainingStage stage(PhaseSession session) {
        return session.extraStage(
                "balanced-finetuning", epochs, new OptimizerSpec("sgd", lr, 0.9, 5e-4, false, null, null), schedule);
    }
}
