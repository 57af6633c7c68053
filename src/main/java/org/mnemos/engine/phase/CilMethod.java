package org.mnemos.engine.phase;

import java.util.List;
import java.util.function.BiFunction;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.phase.loss.LossTerm;

/**
 * A class-incremental method as a composition of small parts. {@code losses} gives the terms of the
 * objective for a phase with (old, new) classes, the classification term first (AANets learns its
 * aggregation weights with it); the shared phase procedure does the rest.
 *
 * @param head the head the method needs, or null to take the spec's
 * @param keepsExemplars whether an exemplar memory is selected after each phase
 * @param biasCorrectionLayer whether the network carries BiC's bias-correction layer
 */
public record CilMethod(
        String name,
        String description,
        TrainingData trainingData,
        boolean keepsExemplars,
        ClassifierRule classifier,
        HeadType head,
        boolean biasCorrectionLayer,
        BiFunction<Integer, Integer, List<LossTerm>> losses,
        List<PhaseHook> hooks) {

    public List<LossTerm> lossesFor(int oldClasses, int newClasses) {
        return losses.apply(oldClasses, newClasses);
    }

    public boolean needsPreviousModel(int oldClasses, int newClasses) {
        return oldClasses > 0 && lossesFor(oldClasses, newClasses).stream().anyMatch(LossTerm::needsPreviousModel);
    }
}
