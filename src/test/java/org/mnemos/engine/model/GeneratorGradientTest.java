package org.mnemos.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
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
import org.mnemos.engine.optim.Gradients;
import org.mnemos.engine.parts.method.dfcil.InversionLoss;
import org.mnemos.engine.util.Autograd;

/**
 * The generator's gradients stay finite when its backward follows other backward passes on several
 * threads. Its last convolution has one output channel; run as it is, oneDNN pads the output
 * gradient to 16 channels without always zeroing the padding, and stale NaN bit patterns came back
 * as NaN gradients in a few of the last hidden layer's channels, on different steps in different runs.
 */
class GeneratorGradientTest {

    @Test
    void gradientsStayFiniteAfterOtherBackwardPasses() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Autograd.disable();
            Engine.getInstance().setRandomSeed(7);
            Generator generator = Generator.builder()
                    .setImageShape(1, 16, 16)
                    .optLatentDim(32)
                    .build();
            generator.initialize(manager, DataType.FLOAT32, new Shape(1, 32));
            List<Parameter> trainable = generator.getParameters().values().stream()
                    .filter(Parameter::requiresGradient)
                    .toList();
            ParameterStore parameters = new ParameterStore(manager, false);
            for (int step = 0; step < 60; step++) {
                try (NDManager stepManager = manager.newSubManager()) {
                    Gradients.zero(trainable);
                    NDArray z = stepManager.randomNormal(0f, 1f, new Shape(16, 32), DataType.FLOAT32, Device.cpu());
                    NDArray other =
                            stepManager.randomNormal(0f, 1f, new Shape(16, 16, 16, 16), DataType.FLOAT32, Device.cpu());
                    other.setRequiresGradient(true);
                    Autograd.enable();
                    try {
                        // an unrelated backward first leaves used memory behind, as the frozen network's does
                        Autograd.backward(other.square().sum());
                        NDArray images = generator
                                .forward(parameters, new NDList(z), true)
                                .head();
                        NDArray upstream =
                                stepManager.randomNormal(0f, 1f, images.getShape(), DataType.FLOAT32, Device.cpu());
                        Autograd.backward(images.mul(upstream).sum().add(InversionLoss.smoothness(images)));
                    } finally {
                        Autograd.disable();
                    }
                    for (Parameter parameter : trainable) {
                        NDArray gradient = parameter.getArray().getGradient();
                        assertThat(gradient.isNaN()
                                        .logicalOr(gradient.isInfinite())
                                        .any()
                                        .getBoolean())
                                .as("non-finite gradient of %s at step %d", parameter.getName(), step)
                                .isFalse();
                    }
                }
            }
        }
    }
}
