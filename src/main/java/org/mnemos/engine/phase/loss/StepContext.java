package org.mnemos.engine.phase.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.function.UnaryOperator;

/**
 * What a loss term sees of one training step.
 *
 * @param outputs the current network's outputs: logits, features, then intermediate maps
 * @param previous the frozen previous-phase network's outputs on the same batch, or null
 * @param targets incremental labels (position in the class order), int64
 * @param oldClasses classes learned before this phase
 * @param totalClasses classes seen including this phase
 * @param cosineScale the learnable scale of a cosine head (raw cosine = logits / scale), null otherwise
 * @param realRows the batch's first rows that are real images; the rest are replayed dreams (model
 *     inversion), labelled by the previous network's prediction
 * @param head the current network's head on other features (ABD's classifier on detached features), or null
 * @param previousHead the previous network's head (its logits over the old classes first), or null
 */
public record StepContext(
        NDList outputs,
        NDList previous,
        NDArray targets,
        int oldClasses,
        int totalClasses,
        NDArray cosineScale,
        int realRows,
        UnaryOperator<NDArray> head,
        UnaryOperator<NDArray> previousHead) {

    /** A batch of real images only, without heads; {@code targets} may be null for terms that read none. */
    public StepContext(
            NDList outputs, NDList previous, NDArray targets, int oldClasses, int totalClasses, NDArray cosineScale) {
        this(
                outputs,
                previous,
                targets,
                oldClasses,
                totalClasses,
                cosineScale,
                (int) outputs.head().getShape().get(0),
                null,
                null);
    }

    public NDArray logits() {
        return outputs.get(0);
    }

    public NDArray features() {
        return outputs.get(1);
    }

    public NDList maps() {
        return new NDList(outputs.subList(2, outputs.size()));
    }

    public NDArray previousLogits() {
        return previous.get(0);
    }

    public NDArray previousFeatures() {
        return previous.get(1);
    }

    public NDList previousMaps() {
        return new NDList(previous.subList(2, previous.size()));
    }

    public int newClasses() {
        return totalClasses - oldClasses;
    }

    public int batchRows() {
        return (int) outputs.head().getShape().get(0);
    }

    /** This step restricted to its real rows (the whole step when nothing was replayed). */
    public StepContext realOnly() {
        if (realRows == batchRows()) {
            return this;
        }
        return new StepContext(
                rows(outputs, 0, realRows),
                previous == null ? null : rows(previous, 0, realRows),
                targets.get("0:{}", realRows),
                oldClasses,
                totalClasses,
                cosineScale,
                realRows,
                head,
                previousHead);
    }

    private static NDList rows(NDList arrays, int from, int to) {
        NDList sliced = new NDList(arrays.size());
        for (NDArray array : arrays) {
            sliced.add(array.get("{}:{}", from, to));
        }
        return sliced;
    }
}
