package org.mnemos.engine.phase;

import java.util.ArrayList;
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
 * @param hooks the method's hooks, then those of the run's other parts once composed ({@link #withParts})
 * @param memory the exemplar memory of a composed run that keeps one, else null
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
        List<PhaseHook> hooks,
        MemoryPolicy memory) {

    /** A method on its own, before the run's other parts join it. */
    public CilMethod(
            String name,
            String description,
            TrainingData trainingData,
            boolean keepsExemplars,
            ClassifierRule classifier,
            HeadType head,
            boolean biasCorrectionLayer,
            BiFunction<Integer, Integer, List<LossTerm>> losses,
            List<PhaseHook> hooks) {
        this(
                name,
                description,
                trainingData,
                keepsExemplars,
                classifier,
                head,
                biasCorrectionLayer,
                losses,
                hooks,
                null);
    }

    /** This method with the hooks of the run's other parts after its own, and the exemplar memory (its hooks last). */
    public CilMethod withParts(List<PhaseHook> partHooks, MemoryPolicy memory) {
        List<PhaseHook> all = new ArrayList<>(hooks);
        all.addAll(partHooks);
        if (memory != null) {
            all.addAll(memory.hooks());
        }
        return new CilMethod(
                name,
                description,
                trainingData,
                keepsExemplars,
                classifier,
                head,
                biasCorrectionLayer,
                losses,
                List.copyOf(all),
                memory);
    }

    public List<LossTerm> lossesFor(int oldClasses, int newClasses) {
        return losses.apply(oldClasses, newClasses);
    }

    public boolean needsPreviousModel(int oldClasses, int newClasses) {
        return oldClasses > 0 && lossesFor(oldClasses, newClasses).stream().anyMatch(LossTerm::needsPreviousModel);
    }
}
