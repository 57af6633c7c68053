package org.mnemos.engine.phase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.mnemos.engine.model.IncrementalNet;

/**
 * A training-mode forward pass whose BatchNorm layers normalise a batch's first rows and the rows
 * appended after them apart, each by its own statistics, with the running statistics following the
 * first rows only: the appended rows run first, the running statistics are put back, then the first
 * rows run. The outputs are those of one pass over the whole batch, row for row.
 */
final class ApartBatchNorm {

    private ApartBatchNorm() {}

    static NDList forward(IncrementalNet network, ParameterStore parameters, NDArray inputs, int firstRows) {
        List<Parameter> running = network.getParameters().values().stream()
                .filter(p -> p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR)
                .toList();
        float[][] before = new float[running.size()][];
        for (int i = 0; i < before.length; i++) {
            before[i] = running.get(i).getArray().toFloatArray();
        }
        NDList appended = network.forward(parameters, new NDList(inputs.get("{}:", firstRows)), true);
        for (int i = 0; i < before.length; i++) {
            running.get(i).getArray().set(before[i]);
        }
        NDList first = network.forward(parameters, new NDList(inputs.get(":{}", firstRows)), true);
        NDList outputs = new NDList(first.size());
        for (int i = 0; i < first.size(); i++) {
            outputs.add(first.get(i).concat(appended.get(i), 0));
        }
        return outputs;
    }
}
