package org.mnemos.engine.phase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.mnemos.engine.model.IncrementalNet;

/**
 * Training-mode forward passes whose BatchNorm layers normalise a batch's first rows and the rows
 * appended after them apart, each by its own statistics, with the running statistics following the
 * first rows only. The first rows run, the running statistics are noted, the appended rows run; the
 * noted values are put back by {@link #restore} once the step's backward is done (the backward
 * reads the running statistics as the forward left them: an in-place change before it fails).
 * The outputs are those of one pass over the whole batch, row for row.
 */
final class ApartBatchNorm {

    private final IncrementalNet network;
    private final List<Parameter> running;
    private float[][] pending;

    ApartBatchNorm(IncrementalNet network) {
        this.network = network;
        this.running = network.getParameters().values().stream()
                .filter(p -> p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR)
                .toList();
    }

    /** Puts back the previous step's running statistics first; call {@link #restore} after this step's backward. */
    NDList forward(ParameterStore parameters, NDArray inputs, int firstRows) {
        restore();
        NDList first = network.forward(parameters, new NDList(inputs.get(":{}", firstRows)), true);
        float[][] afterFirst = new float[running.size()][];
        for (int i = 0; i < afterFirst.length; i++) {
            afterFirst[i] = running.get(i).getArray().toFloatArray();
        }
        NDList appended = network.forward(parameters, new NDList(inputs.get("{}:", firstRows)), true);
        pending = afterFirst;
        NDList outputs = new NDList(first.size());
        for (int i = 0; i < first.size(); i++) {
            outputs.add(first.get(i).concat(appended.get(i), 0));
        }
        return outputs;
    }

    /** Sets the running statistics to what the last step's first rows left them at (nothing pending: no change). */
    void restore() {
        if (pending == null) {
            return;
        }
        for (int i = 0; i < pending.length; i++) {
            running.get(i).getArray().set(pending[i]);
        }
        pending = null;
    }
}
