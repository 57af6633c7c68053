package org.mnemos.engine;

import java.util.List;
import org.mnemos.engine.spec.ExperimentSpec;

/**
 * A spec resolved against its data set: the class order and the original labels of each phase.
 * Recorded with the run so that the order is reproducible and visible. {@code classNames} follows
 * {@code classOrder}: {@code classNames.get(i)} names the class {@code classOrder.get(i)}.
 */
public record RunPlan(
        ExperimentSpec spec, List<Integer> classOrder, List<List<Integer>> phases, List<String> classNames) {

    public int phaseCount() {
        return phases.size();
    }

    /** The name of an original label; the label itself where the plan does not include it. */
    public String className(int originalLabel) {
        int position = classOrder.indexOf(originalLabel);
        return position >= 0 && classNames != null && position < classNames.size()
                ? classNames.get(position)
                : Integer.toString(originalLabel);
    }
}
