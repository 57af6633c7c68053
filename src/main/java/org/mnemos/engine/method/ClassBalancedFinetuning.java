package org.mnemos.engine.method;

import ai.djl.nn.Parameter;
import java.util.List;
import org.mnemos.engine.memory.MemoryBudget;
import org.mnemos.engine.method.loss.LossTerm;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.train.TrainingStage;

/**
 * Class-balanced finetuning of the classifier on the exemplar memory once it holds every seen class
 * equally (LUCIR's optional CBF, PODNet's "finetuning" with undersampling).
 */
final class ClassBalancedFinetuning implements PhaseHook {

    private static final ScheduleSpec SCHEDULE = new ScheduleSpec("cosine", null, null);

    private final int epochs;
    private final LossTerm classification;
    private final double lr;

    ClassBalancedFinetuning(int epochs, LossTerm classification, double lr) {
        this.epochs = epochs;
        this.classification = classification;
        this.lr = lr;
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        if (session.oldClasses() == 0) {
            return 0;
        }
        // the memory this hook will train on is the one after the update: the budget for every seen class
        int perClass = MemoryBudget.of(session.spec().memory()).perClassFor(session.totalClasses());
        return stage(session).steps(perClass * session.totalClasses());
    }

    @Override
    public void afterMemoryUpdate(PhaseSession session) {
        if (session.oldClasses() == 0 || session.memory().size() < 2) {
            return;
        }
        List<Parameter> head = session.headParameters();
        session.train(stage(session), head, session.memorySamples(), List.of(classification));
    }

    private TrainingStage stage(PhaseSession session) {
        return session.extraStage("balanced-finetuning", epochs, new OptimizerSpec("sgd", lr, 0.9, 5e-4, false, null, null), SCHEDULE);
    }
}
