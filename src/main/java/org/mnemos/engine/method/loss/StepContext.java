package org.mnemos.engine.method.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * What a loss term sees of one training step.
 *
 * @param outputs the current network's outputs: logits, features, then intermediate maps
 * @param previous the frozen previous-phase network's outputs on the same batch, or null
 * @param targets incremental labels (position in the class order), int64
 * @param oldClasses classes learned before this phase
 * @param totalClasses classes seen including this phase
 * @param cosineScale the learnable scale of a cosine head (raw cosine = logits / scale), null otherwise
 */
public record StepContext(
        NDList outputs, NDList previous, NDArray targets, int oldClasses, int totalClasses, NDArray cosineScale) {

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
}
