package org.mnemos.engine.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Predicted and true incremental labels on the test images of the seen classes, turned into the
 * phase's accuracy figures.
 *
 * @param cnnTop5 per test image, whether its class is among the network's five highest logits; null
 *     with five seen classes or fewer
 * @param nmeTop5 the same for the five nearest class means; null without class means or with five
 *     seen classes or fewer
 * @param cnnTaskAware per test image, the network's prediction among the classes of the image's own
 *     task (the phase that introduced its class) only; null where not computed
 * @param nmeTaskAware the same for the nearest class mean; null without class means or where not computed
 */
public record Predictions(
        int[] truth,
        int[] cnn,
        int[] nme,
        boolean[] cnnTop5,
        boolean[] nmeTop5,
        int[] cnnTaskAware,
        int[] nmeTaskAware) {

    /** Five highest scores: the top-5 figure the field reports. */
    public static final int TOP = 5;

    /** Predictions without top-5 figures. */
    public Predictions(int[] truth, int[] cnn, int[] nme) {
        this(truth, cnn, nme, null, null);
    }

    /** Predictions without task-aware figures. */
    public Predictions(int[] truth, int[] cnn, int[] nme, boolean[] cnnTop5, boolean[] nmeTop5) {
        this(truth, cnn, nme, cnnTop5, nmeTop5, null, null);
    }

    /**
     * Task-aware predictions: for each row of {@code scores} (rows {@code offset}.. of the test set,
     * {@code columns} classes each, row-major), the highest-scoring class among the classes of the
     * task that introduced the row's true class; the first such class on ties, as argmax takes it.
     *
     * @param taskStarts the first incremental label of each task, ascending, from 0
     */
    public static int[] taskAware(float[] scores, int columns, int[] truth, int offset, int[] taskStarts) {
        int rows = scores.length / columns;
        int[] predicted = new int[rows];
        for (int r = 0; r < rows; r++) {
            int label = truth[offset + r];
            int task = taskOf(label, taskStarts);
            int from = taskStarts[task];
            int to = task + 1 < taskStarts.length ? taskStarts[task + 1] : columns;
            int best = from;
            for (int c = from + 1; c < to; c++) {
                if (scores[r * columns + c] > scores[r * columns + best]) {
                    best = c;
                }
            }
            predicted[r] = best;
        }
        return predicted;
    }

    /** The first incremental label of each phase 0..phase: the running sums of their sizes. */
    public static int[] taskStarts(List<Integer> phaseSizes) {
        int[] starts = new int[phaseSizes.size()];
        for (int p = 1; p < starts.length; p++) {
            starts[p] = starts[p - 1] + phaseSizes.get(p - 1);
        }
        return starts;
    }

    private static int taskOf(int label, int[] taskStarts) {
        int task = 0;
        while (task + 1 < taskStarts.length && taskStarts[task + 1] <= label) {
            task++;
        }
        return task;
    }

    public static double accuracy(int[] truth, int[] predicted, int from, int to) {
        int total = 0;
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] >= from && truth[i] < to) {
                total++;
                if (predicted[i] == truth[i]) {
                    correct++;
                }
            }
        }
        return total == 0 ? 0 : (double) correct / total;
    }

    /**
     * @param phaseSizes classes of each phase 0..phase, in class order
     * @param classOrder original label of each incremental label
     * @param useNme whether the method's own classifier is NME
     */
    public PhaseMetrics toMetrics(
            int phase,
            List<Integer> classes,
            List<Integer> phaseSizes,
            List<Integer> classOrder,
            boolean useNme,
            int exemplarCount,
            long memoryBytes,
            long trainMillis,
            double imagesPerSecond) {
        int seen = phaseSizes.stream().mapToInt(Integer::intValue).sum();
        int oldClasses = seen - phaseSizes.get(phase);
        int[] own = useNme ? nme : cnn;
        List<Double> row = new ArrayList<>();
        int start = 0;
        for (int size : phaseSizes) {
            row.add(accuracy(truth, own, start, start + size));
            start += size;
        }
        Map<Integer, Double> perClass = new LinkedHashMap<>();
        for (int label = 0; label < seen; label++) {
            perClass.put(classOrder.get(label), accuracy(truth, own, label, label + 1));
        }
        double cnnAccuracy = accuracy(truth, cnn, 0, seen);
        Double nmeAccuracy = nme == null ? null : accuracy(truth, nme, 0, seen);
        List<Integer> seenOrder = List.copyOf(classOrder.subList(0, seen));
        EvaluationReport evaluation = new EvaluationReport(
                seenOrder,
                figures(cnn, cnnTop5, cnnTaskAware, seen, oldClasses, phase),
                nme == null ? null : figures(nme, nmeTop5, nmeTaskAware, seen, oldClasses, phase));
        return new PhaseMetrics(
                        phase,
                        classes,
                        useNme ? "nme" : "cnn",
                        accuracy(truth, own, 0, seen),
                        cnnAccuracy,
                        nmeAccuracy,
                        phase == 0 ? null : accuracy(truth, own, 0, oldClasses),
                        accuracy(truth, own, oldClasses, seen),
                        List.copyOf(row),
                        perClass,
                        exemplarCount,
                        memoryBytes,
                        trainMillis,
                        imagesPerSecond)
                .withReport(evaluation);
    }

    private EvaluationReport.Classifier figures(
            int[] predicted, boolean[] top5, int[] taskAware, int seen, int oldClasses, int phase) {
        int[][] confusion = new int[seen][seen];
        int old = 0;
        int oldAsNew = 0;
        for (int i = 0; i < truth.length; i++) {
            confusion[truth[i]][predicted[i]]++;
            if (truth[i] < oldClasses) {
                old++;
                if (predicted[i] >= oldClasses) {
                    oldAsNew++;
                }
            }
        }
        Double top5Accuracy = null;
        if (top5 != null && truth.length > 0) {
            int hits = 0;
            for (boolean hit : top5) {
                hits += hit ? 1 : 0;
            }
            top5Accuracy = (double) hits / truth.length;
        }
        Double taskAwareAccuracy = taskAware == null || truth.length == 0 ? null : accuracy(truth, taskAware, 0, seen);
        return new EvaluationReport.Classifier(
                top5Accuracy, taskAwareAccuracy, phase == 0 || old == 0 ? null : (double) oldAsNew / old, confusion);
    }
}
