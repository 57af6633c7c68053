package org.mnemos.engine;

import java.util.List;
import org.mnemos.engine.spec.ExperimentSpec;

/**
 * A spec resolved against its data set: the class order and the original labels of each phase.
 * Recorded with the run so that the order is reproducible and visible.
 */
public record RunPlan(ExperimentSpec spec, List<Integer> classOrder, List<List<Integer>> phases, List<String> classNames) {

    public int phaseCount() {
        return phases.size();
    }
}
