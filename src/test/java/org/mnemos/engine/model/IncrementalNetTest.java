package org.mnemos.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.optim.Gradients;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.optim.Sgd;
import org.mnemos.engine.spec.ModelSpec;

class IncrementalNetTest {

    private static final Shape INPUT = new Shape(1, 1, 8, 8);

    private static IncrementalNet mlpNet(NDManager manager, HeadType head) {
        Engine.getInstance().setRandomSeed(3);
        IncrementalNet net = IncrementalNet.builder()
                .setBackbone(Mlp.builder()
                        .setInputSize(64)
                        .optHiddenUnits(List.of(16))
                        .build())
                .optHead(head)
                .optProxiesPerClass(head == HeadType.LSC ? 3 : 1)
                .build();
        net.initialize(manager, DataType.FLOAT32, INPUT);
        return net;
    }

    private static NDArray input(NDManager manager, int batch) {
        Engine.getInstance().setRandomSeed(11);
        return manager.randomNormal(new Shape(batch, 1, 8, 8));
    }

    private static NDList forward(IncrementalNet net, NDManager manager, NDArray x) {
        return net.forward(new ParameterStore(manager, false), new NDList(x), false);
    }

    @Test
    void linearHeadGrowthKeepsOldWeightsAndOldLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            IncrementalNet net = mlpNet(manager, HeadType.LINEAR);
            net.addClasses(3, manager);
            NDArray x = input(manager, 4);
            NDList before = forward(net, manager, x);
            assertThat(before.getShapes()).containsExactly(new Shape(4, 3), new Shape(4, 16), new Shape(4, 16));
            float[] oldWeights = net.segmentWeight(0).toFloatArray();
            float[] oldLogits = before.head().toFloatArray();

            net.addClasses(2, manager);

            NDList after = forward(net, manager, x);
            assertThat(net.numClasses()).isEqualTo(5);
            assertThat(net.segmentSizes()).containsExactly(3, 2);
            assertThat(after.head().getShape()).isEqualTo(new Shape(4, 5));
            assertThat(net.segmentWeight(0).toFloatArray()).isEqualTo(oldWeights);
            assertThat(net.segmentWeight(1).getShape()).isEqualTo(new Shape(2, 16));
            // Same values; one GEMM over the joined weights may round the last bit differently.
            assertThat(after.head().get(":, 0:3").toFloatArray()).containsExactly(oldLogits, within(1e-6f));
            // PyCIL SimpleLinear init: bias 0, weights within sqrt(3 / 16).
            assertThat(net.segmentBiasParameter(1).getArray().toFloatArray()).containsOnly(0f);
            assertThat(net.segmentWeight(1).abs().max().getFloat()).isLessThanOrEqualTo((float) Math.sqrt(3.0 / 16));
        }
    }

    @Test
    void cosineLogitsAreSigmaTimesCosine() {
        try (NDManager manager = NDManager.newBaseManager()) {
            IncrementalNet net = mlpNet(manager, HeadType.COSINE);
            net.addClasses(4, manager);
            net.addClasses(3, manager);
            net.scale().getArray().muli(2.5f);
            NDArray x = input(manager, 6);
            ParameterStore store = new ParameterStore(manager, false);
            NDList out = net.forward(store, new NDList(x), false);
            NDArray cosine = net.cosineSimilarities(store, out.get(1), false);
            assertThat(out.head().getShape()).isEqualTo(new Shape(6, 7));
            assertThat(out.head().abs().max().getFloat()).isLessThanOrEqualTo(2.5f + 1e-5f);
            assertThat(cosine.abs().max().getFloat()).isLessThanOrEqualTo(1f + 1e-6f);
            float[] logits = out.head().toFloatArray();
            float[] expected = cosine.mul(2.5f).toFloatArray();
            for (int i = 0; i < logits.length; i++) {
                assertThat(logits[i]).isCloseTo(expected[i], within(1e-6f));
            }
            // Direct check of one entry against the definition.
            NDArray f = out.get(1).get(0);
            NDArray w = net.segmentWeight(1).get(0);
            float cos = f.dot(w).getFloat() / (f.norm().getFloat() * w.norm().getFloat());
            assertThat(cosine.getFloat(0, 4)).isCloseTo(cos, within(1e-5f));
        }
    }

    @Test
    void lscMergesProxiesWithSoftmaxAttention() {
        try (NDManager manager = NDManager.newBaseManager()) {
            IncrementalNet net = mlpNet(manager, HeadType.LSC);
            net.addClasses(2, manager);
            assertThat(net.segmentWeight(0).getShape()).isEqualTo(new Shape(6, 16));
            NDArray x = input(manager, 3);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray features = forward(net, manager, x).get(1);
            NDArray merged = net.cosineSimilarities(store, features, false);
            assertThat(merged.getShape()).isEqualTo(new Shape(3, 2));
            // class 1 of sample 2 by hand: proxies are rows 3..5
            float[] sims = new float[3];
            float norm = 0;
            for (int k = 0; k < 3; k++) {
                NDArray f = features.get(2);
                NDArray w = net.segmentWeight(0).get(3 + k);
                sims[k] = f.dot(w).getFloat() / (f.norm().getFloat() * w.norm().getFloat());
                norm += (float) Math.exp(sims[k]);
            }
            float expected = 0;
            for (float s : sims) {
                expected += (float) Math.exp(s) / norm * s;
            }
            assertThat(merged.getFloat(2, 1)).isCloseTo(expected, within(1e-5f));
            assertThat(forward(net, manager, x).head().toFloatArray()).isEqualTo(merged.toFloatArray());
        }
    }

    @Test
    void biasCorrectionScalesOnlyItsSegment() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            IncrementalNet net = IncrementalNet.builder()
                    .setBackbone(Mlp.builder()
                            .setInputSize(64)
                            .optHiddenUnits(List.of(16))
                            .build())
                    .optBiasCorrection(true)
                    .build();
            net.initialize(manager, DataType.FLOAT32, INPUT);
            net.addClasses(3, manager);
            NDArray x = input(manager, 2);
            float[] plain = forward(net, manager, x).head().toFloatArray();
            net.addClasses(2, manager);
            NDArray identity = forward(net, manager, x).head();
            assertThat(identity.get(":, 0:3").toFloatArray()).containsExactly(plain, within(1e-6f));

            BiasCorrection bic = net.biasCorrection();
            bic.alpha(1).getArray().muli(2f);
            bic.beta(1).getArray().addi(1f);
            NDArray corrected = forward(net, manager, x).head();
            assertThat(corrected.get(":, 0:3").toFloatArray())
                    .isEqualTo(identity.get(":, 0:3").toFloatArray());
            float[] expectedNew = identity.get(":, 3:5").mul(2f).add(1f).toFloatArray();
            assertThat(corrected.get(":, 3:5").toFloatArray()).containsExactly(expectedNew, within(1e-6f));
            assertThat(net.trainableParameters()).doesNotContainAnyElementsOf(bic.segmentParameters(1));
            assertThat(net.trainableParameters()).contains(net.segmentWeightParameter(1));
        }
    }

    @Test
    void rebuildAndLoadReproduceOutputsExactly() throws Exception {
        ModelSpec spec = new ModelSpec("resnet32", null, "cosine");
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            IncrementalNet original = IncrementalNet.rebuild(spec, 3, 32, 32, List.of(4, 2), manager);
            NDArray x = manager.randomNormal(new Shape(2, 3, 32, 32));
            // one training forward moves the BN running statistics away from their initial values
            original.forward(new ParameterStore(manager, false), new NDList(x), true);
            NDList expected = forward(original, manager, x);

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            original.saveParameters(new DataOutputStream(bytes));
            Engine.getInstance().setRandomSeed(99);
            IncrementalNet restored = IncrementalNet.rebuild(spec, 3, 32, 32, List.of(4, 2), manager);
            assertThat(forward(restored, manager, x).head().toFloatArray())
                    .isNotEqualTo(expected.head().toFloatArray());
            restored.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

            NDList actual = forward(restored, manager, x);
            assertThat(actual.size()).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i).toFloatArray())
                        .isEqualTo(expected.get(i).toFloatArray());
            }
            assertThat(restored.trainableParameters())
                    .allMatch(p -> p.getArray().hasGradient());
        }
    }

    @Test
    void copyIsFrozenAndIndependentOfLaterUpdates() {
        try (NDManager manager = NDManager.newBaseManager();
                NDManager copyManager = NDManager.newBaseManager();
                Optimizer sgd = Sgd.builder().optMomentum(0.9f).build()) {
            IncrementalNet net = mlpNet(manager, HeadType.LINEAR);
            net.addClasses(3, manager);
            NDArray x = input(manager, 4);
            float[] before = forward(net, manager, x).head().toFloatArray();
            IncrementalNet previous = net.copy(copyManager);
            assertThat(previous.segmentSizes()).containsExactly(3);
            assertThat(previous.getParameters().values()).noneMatch(Parameter::requiresGradient);

            List<Parameter> params = net.trainableParameters();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forward(new ParameterStore(manager, false), new NDList(x), true)
                        .head();
                collector.backward(logits.square().sum());
            }
            sgd.step(params, 0.5f);
            Gradients.zero(params);

            assertThat(forward(net, manager, x).head().toFloatArray()).isNotEqualTo(before);
            assertThat(previous.forward(new ParameterStore(copyManager, false), new NDList(x), false)
                            .head()
                            .toFloatArray())
                    .isEqualTo(before);
        }
    }

    @Test
    void trainingStepsLeaveNoArraysInLongLivedManagers() {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer sgd =
                        Sgd.builder().optMomentum(0.9f).optWeightDecay(5e-4f).build()) {
            Engine.getInstance().setRandomSeed(1);
            IncrementalNet net = IncrementalNet.builder()
                    .setBackbone(CifarResNet.builder()
                            .optBlocksPerStage(1)
                            .optLastRelu(false)
                            .build())
                    .optHead(HeadType.COSINE)
                    .optBiasCorrection(true)
                    .build();
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            net.addClasses(2, manager);
            net.addClasses(2, manager);
            List<Parameter> params = net.trainableParameters();
            int afterFirstStep = -1;
            for (int step = 0; step < 3; step++) {
                try (NDManager batch = manager.newSubManager()) {
                    ParameterStore store = new ParameterStore(batch, false);
                    NDArray x = batch.randomNormal(new Shape(2, 3, 16, 16));
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDList out = net.backbone().forward(store, new NDList(x), true);
                        NDList head = net.forwardHeadWithSimilarities(store, out.head(), true);
                        collector.backward(
                                head.get(0).square().sum().add(head.get(1).sum()));
                    }
                }
                sgd.step(params, 0.1f);
                Gradients.zero(params);
                if (step == 0) {
                    afterFirstStep = manager.getManagedArrays().size();
                }
            }
            assertThat(manager.getManagedArrays()).hasSize(afterFirstStep);
        }
    }

    @Test
    void imprintingOverwritesOneSegmentInPlace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            IncrementalNet net = mlpNet(manager, HeadType.COSINE);
            net.addClasses(2, manager);
            net.addClasses(2, manager);
            NDArray before = net.segmentWeight(1);
            float[] oldSegment = net.segmentWeight(0).toFloatArray();
            NDArray imprint = manager.ones(new Shape(2, 16)).mul(0.25f);
            net.setSegmentWeight(1, imprint);
            assertThat(net.segmentWeight(1)).isSameAs(before);
            assertThat(net.segmentWeight(1).toFloatArray()).containsOnly(0.25f);
            assertThat(net.segmentWeight(0).toFloatArray()).isEqualTo(oldSegment);
            assertThat(net.segmentWeight(1).hasGradient()).isTrue();
            assertThatThrownBy(() -> net.setSegmentWeight(1, manager.ones(new Shape(3, 16))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void copyRestoresLscHeadWithBiasCorrection() {
        try (NDManager manager = NDManager.newBaseManager();
                NDManager copyManager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(8);
            IncrementalNet net = IncrementalNet.builder()
                    .setBackbone(CifarResNet.builder()
                            .optBlocksPerStage(1)
                            .optLastRelu(false)
                            .build())
                    .optHead(HeadType.LSC)
                    .optProxiesPerClass(4)
                    .optBiasCorrection(true)
                    .build();
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            net.addClasses(3, manager);
            net.addClasses(2, manager);
            net.biasCorrection().alpha(1).getArray().muli(1.5f);
            net.scale().getArray().addi(2f);
            NDArray x = manager.randomNormal(new Shape(2, 3, 16, 16));
            NDList expected = forward(net, manager, x);

            IncrementalNet previous = net.copy(copyManager);

            assertThat(previous.headType()).isEqualTo(HeadType.LSC);
            assertThat(previous.proxiesPerClass()).isEqualTo(4);
            assertThat(previous.classOffset(1)).isEqualTo(3);
            NDList actual = previous.forward(new ParameterStore(copyManager, false), new NDList(x), false);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i).toFloatArray())
                        .isEqualTo(expected.get(i).toFloatArray());
            }
            net.setBiasCorrectionEnabled(false);
            NDArray uncorrected = forward(net, manager, x).head();
            assertThat(uncorrected.get(":, 3:5").mul(1.5f).toFloatArray())
                    .containsExactly(expected.head().get(":, 3:5").toFloatArray(), within(1e-5f));
        }
    }

    @Test
    void invalidConfigurationsAreRejected() {
        Mlp mlp = Mlp.builder().setInputSize(4).build();
        assertThatThrownBy(() -> IncrementalNet.builder().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IncrementalNet.builder()
                        .setBackbone(mlp)
                        .optProxiesPerClass(2)
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IncrementalNet.headType("arcface"))
                .isInstanceOfSatisfying(
                        SpecException.class, e -> assertThat(e.field()).isEqualTo("model.head"));
        IncrementalNet net = IncrementalNet.builder().setBackbone(mlp).build();
        assertThatThrownBy(() -> net.addClasses(0, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
