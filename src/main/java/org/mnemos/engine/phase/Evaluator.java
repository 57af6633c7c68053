package org.mnemos.engine.phase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.metrics.Predictions;
import org.mnemos.engine.model.IncrementalNet;

/** Classifies test images with the network's head and, where class means exist, by nearest mean. */
public final class Evaluator {

    private static final int BATCH = 256;

    private Evaluator() {}

    public static Predictions predict(
            IncrementalNet net,
            ParameterStore parameters,
            BatchTransform transform,
            NDManager manager,
            Samples test,
            int height,
            int width,
            int channels,
            float[][] classMeans) {
        return predict(net, parameters, transform, manager, test, height, width, channels, classMeans, null);
    }

    /**
     * Predictions with the task-aware figures besides.
     *
     * @param taskStarts the first incremental label of each task seen so far ({@link Predictions#taskStarts});
     *     null for no task-aware predictions
     */
    public static Predictions predict(
            IncrementalNet net,
            ParameterStore parameters,
            BatchTransform transform,
            NDManager manager,
            Samples test,
            int height,
            int width,
            int channels,
            float[][] classMeans,
            int[] taskStarts) {
        int n = test.size();
        int[] cnn = new int[n];
        int[] nme = classMeans == null ? null : new int[n];
        boolean[] cnnTop5 = null;
        boolean[] nmeTop5 = null;
        int[] cnnTaskAware = taskStarts == null ? null : new int[n];
        int[] nmeTaskAware = taskStarts == null || classMeans == null ? null : new int[n];
        try (NDManager evalManager = manager.newSubManager();
                DeviceDataset data =
                        DeviceDataset.of(test.pixels(), test.labels(), height, width, channels, evalManager)) {
            NDArray means = null;
            if (classMeans != null) {
                float[] flat = new float[classMeans.length * classMeans[0].length];
                for (int c = 0; c < classMeans.length; c++) {
                    System.arraycopy(classMeans[c], 0, flat, c * classMeans[c].length, classMeans[c].length);
                }
                means = evalManager.create(flat, new Shape(classMeans.length, classMeans[0].length));
            }
            Random unused = new Random(0);
            for (int start = 0; start < n; start += BATCH) {
                int end = Math.min(n, start + BATCH);
                try (NDManager batch = evalManager.newSubManager()) {
                    NDArray indices = batch.arange(start, end).toType(DataType.INT64, false);
                    NDArray inputs = transform.apply(data.gather(indices), false, unused);
                    NDList outputs = net.forward(parameters, new NDList(inputs), false);
                    NDArray logits = outputs.get(0);
                    int[] predicted = toInts(logits.argMax(1));
                    System.arraycopy(predicted, 0, cnn, start, predicted.length);
                    if (logits.getShape().get(1) > Predictions.TOP) {
                        cnnTop5 = cnnTop5 == null ? new boolean[n] : cnnTop5;
                        markTop5(logits, test.labels(), start, cnnTop5);
                    }
                    if (cnnTaskAware != null) {
                        copyTaskAware(logits, test.labels(), start, taskStarts, cnnTaskAware);
                    }
                    if (means != null) {
                        NDArray similarity = outputs.get(1).normalize(2, 1).matMul(means.transpose());
                        int[] nearest = toInts(similarity.argMax(1));
                        System.arraycopy(nearest, 0, nme, start, nearest.length);
                        if (similarity.getShape().get(1) > Predictions.TOP) {
                            nmeTop5 = nmeTop5 == null ? new boolean[n] : nmeTop5;
                            markTop5(similarity, test.labels(), start, nmeTop5);
                        }
                        if (nmeTaskAware != null) {
                            copyTaskAware(similarity, test.labels(), start, taskStarts, nmeTaskAware);
                        }
                    }
                }
            }
        }
        return new Predictions(test.labels(), cnn, nme, cnnTop5, nmeTop5, cnnTaskAware, nmeTaskAware);
    }

    static void copyTaskAware(NDArray scores, int[] labels, int start, int[] taskStarts, int[] into) {
        float[] host = scores.toType(DataType.FLOAT32, false).toFloatArray();
        int[] predicted = Predictions.taskAware(host, (int) scores.getShape().get(1), labels, start, taskStarts);
        System.arraycopy(predicted, 0, into, start, predicted.length);
    }

    /** Whether each row's true label is among its five highest scores (rows {@code start}.. of the test set). */
    static void markTop5(NDArray scores, int[] labels, int start, boolean[] hits) {
        int[] ranked = toInts(scores.argSort(1, false).get(":, 0:{}", Predictions.TOP));
        int rows = ranked.length / Predictions.TOP;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < Predictions.TOP; k++) {
                hits[start + r] |= ranked[r * Predictions.TOP + k] == labels[start + r];
            }
        }
    }

    private static int[] toInts(NDArray array) {
        return array.toType(DataType.INT32, false).toIntArray();
    }
}
