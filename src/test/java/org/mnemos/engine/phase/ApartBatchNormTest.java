package org.mnemos.engine.phase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.util.Autograd;

/**
 * {@code replayBatchNorm: separate}: the real rows of a step come out as if the dreams were not in
 * the batch, the dreams as if the real rows were not, and only the real rows move the running statistics.
 */
class ApartBatchNormTest {

    private static IncrementalNet resnet8(NDManager manager) {
        Engine.getInstance().setRandomSeed(5);
        IncrementalNet net = IncrementalNet.builderFor(new ModelSpec("resnet8", null, "linear"), 1, 8, 8)
                .build();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 8, 8));
        net.addClasses(3, manager);
        return net;
    }

    private static float[] running(IncrementalNet net) {
        List<Parameter> stats = net.getParameters().values().stream()
                .filter(p -> p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR)
                .toList();
        assertThat(stats).isNotEmpty();
        return stats.stream()
                .map(p -> p.getArray().toFloatArray())
                .reduce((a, b) -> {
                    float[] joined = java.util.Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, joined, a.length, b.length);
                    return joined;
                })
                .orElseThrow();
    }

    @Test
    void realRowsAndAppendedRowsAreNormalisedApartAndOnlyRealRowsMoveTheRunningStatistics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ParameterStore parameters = new ParameterStore(manager, false);
            NDArray real = manager.randomNormal(new Shape(6, 1, 8, 8));
            // dreams off the real distribution: shifted and scaled
            NDArray dreams = manager.randomNormal(new Shape(6, 1, 8, 8)).mul(3).add(2);
            NDArray batch = real.concat(dreams, 0);

            IncrementalNet alone = resnet8(manager);
            NDArray realAlone =
                    alone.forward(parameters, new NDList(real), true).head();
            float[] runningAfterRealAlone = running(alone);
            NDArray dreamsAlone = resnet8(manager)
                    .forward(parameters, new NDList(dreams), true)
                    .head();

            IncrementalNet apart = resnet8(manager);
            ApartBatchNorm apartBatchNorm = new ApartBatchNorm(apart);
            NDList outputs;
            Autograd.enable();
            try {
                outputs = apartBatchNorm.forward(parameters, batch, 6);
                // the backward reads the running statistics as the forward left them
                Autograd.backward(outputs.head().square().sum());
            } finally {
                Autograd.disable();
            }
            apartBatchNorm.restore();
            assertThat(outputs.head().getShape()).isEqualTo(new Shape(12, 3));
            assertThat(outputs.head().get("0:6").toFloatArray())
                    .containsExactly(realAlone.toFloatArray(), within(1e-5f));
            assertThat(outputs.head().get("6:").toFloatArray())
                    .containsExactly(dreamsAlone.toFloatArray(), within(1e-5f));
            assertThat(running(apart)).containsExactly(runningAfterRealAlone, within(1e-6f));

            // one joint batch: the real rows' logits and the running statistics carry the dreams' statistics
            IncrementalNet joint = resnet8(manager);
            NDArray jointLogits =
                    joint.forward(parameters, new NDList(batch), true).head();
            assertThat(max(jointLogits.get("0:6").sub(realAlone).abs())).isGreaterThan(1e-3f);
            assertThat(max(manager.create(running(joint))
                            .sub(manager.create(runningAfterRealAlone))
                            .abs()))
                    .isGreaterThan(1e-3f);
        }
    }

    private static float max(NDArray values) {
        return values.max().getFloat();
    }
}
