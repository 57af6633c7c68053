package org.mnemos.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ModelSpec;

class BackboneTest {

    @Test
    void mlpFlattensAndReturnsHiddenActivations() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Mlp mlp = Mlp.builder()
                    .setInputSize(784)
                    .optHiddenUnits(List.of(100, 50))
                    .build();
            NDList out = forward(mlp, manager, new Shape(2, 1, 28, 28));
            assertThat(mlp.featureDim()).isEqualTo(50);
            assertThat(out.getShapes()).containsExactly(new Shape(2, 50), new Shape(2, 100), new Shape(2, 50));
            assertThat(out.get(0).toFloatArray()).isEqualTo(out.get(2).toFloatArray());
            assertThat(out.get(1).min().getFloat()).isGreaterThanOrEqualTo(0f);
            // 784·100 + 100 + 100·50 + 50
            assertThat(trainableCount(mlp)).isEqualTo(83_550);
        }
    }

    @Test
    void resnet32HasPyCilShapesAndParameterCount() {
        try (NDManager manager = NDManager.newBaseManager()) {
            CifarResNet net = CifarResNet.builder().build();
            NDList out = forward(net, manager, new Shape(2, 3, 32, 32));
            assertThat(out.getShapes())
                    .containsExactly(
                            new Shape(2, 64),
                            new Shape(2, 16, 32, 32),
                            new Shape(2, 32, 16, 16),
                            new Shape(2, 64, 8, 8));
            assertThat(net.getOutputShapes(new Shape[] {new Shape(2, 3, 32, 32)}))
                    .containsExactly(out.getShapes());
            // stem 432 + 32; stage 1: 5·(2·2304 + 64); stage 2: 13952 + 4·18560; stage 3: 55552 + 4·73984
            assertThat(trainableCount(net)).isEqualTo(463_504);
            assertThat(out.get(3).min().getFloat()).isGreaterThanOrEqualTo(0f);
        }
    }

    @Test
    void resnet32WithoutLastReluKeepsNegativeFeatures() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList out = forward(CifarResNet.builder().optLastRelu(false).build(), manager, new Shape(2, 3, 32, 32));
            assertThat(out.get(3).min().getFloat()).isLessThan(0f);
        }
    }

    @Test
    void resnet32AcceptsMnistSizedInputs() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList out = forward(CifarResNet.builder().optBlocksPerStage(1).build(), manager, new Shape(2, 1, 28, 28));
            assertThat(out.getShapes())
                    .containsExactly(
                            new Shape(2, 64),
                            new Shape(2, 16, 28, 28),
                            new Shape(2, 32, 14, 14),
                            new Shape(2, 64, 7, 7));
        }
    }

    @Test
    void resnet18SmallInputShapesAndParameterCount() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet18 net = ResNet18.builder().optSmallInput(true).build();
            NDList out = forward(net, manager, new Shape(1, 3, 32, 32));
            assertThat(out.getShapes())
                    .containsExactly(
                            new Shape(1, 512),
                            new Shape(1, 64, 32, 32),
                            new Shape(1, 128, 16, 16),
                            new Shape(1, 256, 8, 8),
                            new Shape(1, 512, 4, 4));
            // torchvision resnet18 without fc has 11,176,512; the 3x3 stem saves 3·64·(49 - 9).
            assertThat(trainableCount(net)).isEqualTo(11_168_832);
        }
    }

    @Test
    void resnet18ImagenetStemDownsamplesByFour() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet18 net = ResNet18.builder().build();
            NDList out = forward(net, manager, new Shape(1, 3, 64, 64));
            assertThat(out.getShapes())
                    .containsExactly(
                            new Shape(1, 512),
                            new Shape(1, 64, 16, 16),
                            new Shape(1, 128, 8, 8),
                            new Shape(1, 256, 4, 4),
                            new Shape(1, 512, 2, 2));
            assertThat(net.getOutputShapes(new Shape[] {new Shape(1, 3, 64, 64)}))
                    .containsExactly(out.getShapes());
            assertThat(trainableCount(net)).isEqualTo(11_176_512);
        }
    }

    @Test
    void initialisationIsDeterministicUnderTheEngineSeed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] first = firstConvWeights(manager);
            float[] second = firstConvWeights(manager);
            assertThat(second).isEqualTo(first);
        }
    }

    private static float[] firstConvWeights(NDManager manager) {
        Engine.getInstance().setRandomSeed(7);
        CifarResNet net = CifarResNet.builder().optBlocksPerStage(1).build();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
        return net.getParameters().get(0).getValue().getArray().toFloatArray();
    }

    @Test
    void backbonesFollowTheSpec() {
        Backbone mlp = Backbones.create(new ModelSpec("mlp", List.of(64), "linear"), 1, 28, 28);
        assertThat(mlp).isInstanceOfSatisfying(Mlp.class, m -> {
            assertThat(m.inputSize()).isEqualTo(784);
            assertThat(m.featureDim()).isEqualTo(64);
        });
        assertThat(Backbones.create(new ModelSpec("mlp", null, null), 1, 28, 28).featureDim())
                .isEqualTo(400);
        assertThat(Backbones.create(new ModelSpec("resnet32", null, "cosine"), 3, 32, 32))
                .isInstanceOfSatisfying(
                        CifarResNet.class, r -> assertThat(r.lastRelu()).isFalse());
        assertThat(Backbones.create(new ModelSpec("ResNet18", null, "linear"), 3, 32, 32))
                .isInstanceOfSatisfying(ResNet18.class, r -> {
                    assertThat(r.smallInput()).isTrue();
                    assertThat(r.lastRelu()).isTrue();
                });
        assertThat(Backbones.create(new ModelSpec("resnet18", null, null), 3, 224, 224))
                .isInstanceOfSatisfying(
                        ResNet18.class, r -> assertThat(r.smallInput()).isFalse());
        assertThatThrownBy(() -> Backbones.create(new ModelSpec("vgg", null, null), 3, 32, 32))
                .isInstanceOfSatisfying(SpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("model.backbone");
                    assertThat(e.getMessage()).contains("mlp, resnet32, resnet18");
                });
        assertThatThrownBy(() -> Backbones.create(new ModelSpec("mlp", List.of(0), null), 1, 28, 28))
                .isInstanceOfSatisfying(
                        SpecException.class, e -> assertThat(e.field()).isEqualTo("model.hiddenUnits"));
    }

    private static NDList forward(Block block, NDManager manager, Shape inputShape) {
        Engine.getInstance().setRandomSeed(42);
        block.initialize(manager, DataType.FLOAT32, inputShape);
        return block.forward(new ParameterStore(manager, false), new NDList(manager.randomNormal(inputShape)), true);
    }

    static long trainableCount(Block block) {
        long count = 0;
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.requiresGradient()) {
                count += parameter.getArray().getShape().size();
            }
        }
        return count;
    }
}
