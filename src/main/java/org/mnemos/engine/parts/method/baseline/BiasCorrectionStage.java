package org.mnemos.engine.parts.method.baseline;

import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;
import org.mnemos.engine.phase.TrainingStage;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.util.Permutations;

/**
 * BiC's second stage (Wu et al. 2019): hold out {@code fraction} of each old class's exemplars and
 * as many images of each new class before training; afterwards fit the new segment's (α, β) on
 * them with everything else frozen.
 */
public final class BiasCorrectionStage implements PhaseHook {

    private static final OptimizerSpec OPTIMIZER = new OptimizerSpec("sgd", 0.1, 0.9, 0.0, false, null, null);
    private static final ScheduleSpec SCHEDULE = new ScheduleSpec("constant", null, null);

    private final double fraction;
    private final int epochs;

    public BiasCorrectionStage(double fraction, int epochs) {
        this.fraction = fraction;
        this.epochs = epochs;
    }

    @Override
    public void beforeTraining(PhaseSession session) {
        if (session.oldClasses() == 0) {
            return;
        }
        Samples training = session.training();
        int perClass = Math.max(1, (int) Math.round(fraction * smallestOldClass(session)));
        List<Integer> held = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        for (int label = 0; label < session.totalClasses(); label++) {
            int[] indices = training.indicesOfLabels(label, label + 1);
            // a seeded random choice: exemplars come in herding order, and holding out their
            // first (most representative) ones would bias both stages
            Permutations.shuffle(indices, session.rng());
            for (int i = 0; i < indices.length; i++) {
                (i < perClass && indices.length > perClass ? held : kept).add(indices[i]);
            }
        }
        session.setHeldOut(
                training.subset(held.stream().mapToInt(Integer::intValue).toArray()));
        session.setTraining(
                training.subset(kept.stream().mapToInt(Integer::intValue).toArray()));
    }

    private static int smallestOldClass(PhaseSession session) {
        int smallest = Integer.MAX_VALUE;
        for (int label = 0; label < session.oldClasses(); label++) {
            smallest = Math.min(smallest, session.training().indicesOfLabels(label, label + 1).length);
        }
        return smallest == Integer.MAX_VALUE ? 0 : smallest;
    }

    @Override
    public long plannedSteps(PhaseSession session) {
        if (session.oldClasses() == 0 || session.heldOut() == null) {
            return 0;
        }
        return stage(session).steps(session.heldOut().size());
    }

    @Override
    public void afterTraining(PhaseSession session) {
        if (session.oldClasses() == 0
                || session.heldOut() == null
                || session.heldOut().size() < 2) {
            return;
        }
        int segment = session.net().numSegments() - 1;
        List<Parameter> bias = session.net().biasCorrection().segmentParameters(segment);
        session.train(stage(session), bias, session.heldOut(), List.of(new CrossEntropyLoss(false)));
    }

    private TrainingStage stage(PhaseSession session) {
        return session.extraStage("bias-correction", epochs, OPTIMIZER, SCHEDULE);
    }
}
