package org.mnemos.engine.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the evaluation of a phase measured beyond top-1, per classifier ({@code cnn}, and {@code nme}
 * where the method keeps class means), on the test images of the seen classes.
 *
 * @param classOrder the original labels of the seen classes in class order: the confusion matrices'
 *     row and column order
 * @param cnn the network's output layer
 * @param nme nearest mean of exemplars; null where the method keeps no class means
 */
public record EvaluationReport(
        List<Integer> classOrder,
        Classifier cnn,
        @JsonInclude(JsonInclude.Include.NON_NULL) Classifier nme) implements PartReport {

    public static final String NAME = "evaluation";

    /**
     * @param top5Accuracy share of test images whose class is among the five highest scores; null with
     *     five seen classes or fewer (it would be 1)
     * @param taskAwareAccuracy share of test images classified correctly among the classes of their
     *     own task only (the phase that introduced their class): the task-incremental figure; null
     *     where not computed
     * @param oldPredictedAsNew share of the old classes' test images predicted as one of this phase's
     *     classes; null in phase 0
     * @param confusion test image counts, [true class][predicted class], both in class order: row i
     *     sums to the test images of class {@code classOrder[i]}
     */
    public record Classifier(
            @JsonInclude(JsonInclude.Include.NON_NULL) Double top5Accuracy,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double taskAwareAccuracy,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double oldPredictedAsNew,
            int[][] confusion) {}

    @Override
    public String reportName() {
        return NAME;
    }
}
