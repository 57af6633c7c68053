package org.mnemos.engine.phase;

import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mnemos.engine.model.IncrementalNet;

/** Which parameters a phase's stages train: those hooks froze are left out, those hooks added are put in. */
final class Trainables {

    private final Set<String> frozen = new HashSet<>();
    private final List<Parameter> extra = new ArrayList<>();

    void freeze(List<Parameter> parameters) {
        parameters.forEach(p -> frozen.add(p.getId()));
    }

    boolean isFrozen(Parameter parameter) {
        return frozen.contains(parameter.getId());
    }

    void add(List<Parameter> parameters) {
        extra.addAll(parameters);
    }

    /** What the main stage's optimiser updates: {@code net}'s trainable parameters less the frozen ones, plus the added ones. */
    List<Parameter> mainStage(IncrementalNet net) {
        List<Parameter> result = new ArrayList<>(net.trainableParameters().stream()
                .filter(p -> !frozen.contains(p.getId()))
                .toList());
        result.addAll(extra);
        return result;
    }

    /** {@code net}'s head parameters (classifier weights, scale): what classifier-only stages train. */
    static List<Parameter> head(IncrementalNet net) {
        Set<String> backbone = new HashSet<>();
        net.backbone().getParameters().values().forEach(p -> backbone.add(p.getId()));
        return net.trainableParameters().stream()
                .filter(p -> !backbone.contains(p.getId()))
                .toList();
    }
}
