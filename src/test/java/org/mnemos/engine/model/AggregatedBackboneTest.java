package org.mnemos.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.ModelSpec;

class AggregatedBackboneTest {

    private static final Shape CIFAR = new Shape(1, 3, 32, 32);

    @Test
    void levelsAreTheStagesOfTheResNetsAndTheHiddenLayersOfTheMlp() {
        assertThat(aggregated(CifarResNet.builder().optBlocksPerStage(1).build())
                        .levels())
                .isEqualTo(3);
        assertThat(aggregated(ResNet18.builder().optSmallInput(true).build()).levels())
                .isEqualTo(4);
        assertThat(aggregated(Mlp.builder()
                                .setInputSize(12)
                                .optHiddenUnits(List.of(8, 6, 4))
                                .build())
                        .levels())
                .isEqualTo(3);
    }

    @Test
    void stableBranchTrainsScalesAndBatchNormButNotItsKernels() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net =
                    net(aggregated(CifarResNet.builder().optBlocksPerStage(1).build()), CIFAR, manager);
            AggregatedBackbone backbone = (AggregatedBackbone) net.backbone();
            List<Parameter> trainable = net.trainableParameters();
            List<Parameter> stable = backbone.stable().getParameters().values();
            assertThat(stable).isNotEmpty();
            for (Parameter parameter : stable) {
                boolean kernel = parameter.getType() == Parameter.Type.WEIGHT
                        && parameter.getShape().dimension() == 4;
                boolean runningStatistic = parameter.getType() == Parameter.Type.RUNNING_MEAN
                        || parameter.getType() == Parameter.Type.RUNNING_VAR;
                assertThat(trainable.contains(parameter))
                        .as(parameter.getName() + " of type " + parameter.getType())
                        .isEqualTo(!kernel && !runningStatistic);
                if (kernel) {
                    assertThat(parameter.getArray().hasGradient()).isFalse();
                }
            }
            // ss scales are (out, in, 1, 1): the stem has 16 × 3 of them
            assertThat(stable.stream()
                            .filter(p -> p.getName().equals("scale"))
                            .findFirst()
                            .orElseThrow()
                            .getShape())
                    .isEqualTo(new Shape(16, 3, 1, 1));
            assertThat(backbone.plastic().getParameters().values().stream()
                            .filter(p -> p.getType() != Parameter.Type.RUNNING_MEAN
                                    && p.getType() != Parameter.Type.RUNNING_VAR)
                            .allMatch(trainable::contains))
                    .isTrue();
            assertThat(net.aggregationWeights()).hasSize(3).noneMatch(trainable::contains);
            assertThat(backbone.aggregationWeightValues()).containsExactly(0.5, 0.5, 0.5);
        }
    }

    @Test
    void fixedBranchHasNothingToTrain() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            AggregatedBackbone backbone = AggregatedBackbone.builder()
                    .setBase(Mlp.builder()
                            .setInputSize(12)
                            .optHiddenUnits(List.of(8))
                            .build())
                    .optPlasticBranch(BranchType.FIXED)
                    .build();
            IncrementalNet net = net(backbone, new Shape(1, 1, 3, 4), manager);
            assertThat(backbone.plastic().getParameters().values()).noneMatch(net.trainableParameters()::contains);
        }
    }

    @Test
    void bothBranchesStartFromTheSingleNetworkSoTheMixIsThatNetwork() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Engine.getInstance().setRandomSeed(3);
            CifarResNet base = CifarResNet.builder()
                    .optBlocksPerStage(1)
                    .optLastRelu(false)
                    .build();
            IncrementalNet single = net(base, CIFAR, manager);
            IncrementalNet dual = net(aggregated(base.sameArchitecture()), CIFAR, manager);
            NDArray x = manager.randomNormal(new Shape(4, 3, 32, 32));
            float[] before = logits(dual, x);
            dual.startBranchesFrom(single);
            float[] expected = logits(single, x);
            float[] actual = logits(dual, x);
            assertThat(actual).isNotEqualTo(before);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test
    void checkpointAndCopyKeepBothBranchesAndTheWeights() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Mlp base =
                    Mlp.builder().setInputSize(12).optHiddenUnits(List.of(8, 6)).build();
            IncrementalNet net = net(aggregated(base), new Shape(1, 1, 3, 4), manager);
            net.aggregationWeights().get(1).getArray().set(new float[] {0.8f});
            NDArray x = manager.randomNormal(new Shape(5, 1, 3, 4));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            net.saveParameters(new DataOutputStream(bytes));
            IncrementalNet reloaded = net(aggregated(base.sameArchitecture()), new Shape(1, 1, 3, 4), manager);
            reloaded.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(((AggregatedBackbone) reloaded.backbone()).aggregationWeightValues())
                    .containsExactly(0.5, 0.800000011920929);
            assertThat(logits(reloaded, x)).containsExactly(logits(net, x));
            // a reload keeps the stable kernels frozen
            assertThat(reloaded.trainableParameters())
                    .hasSize(net.trainableParameters().size());
            IncrementalNet previous = net.copy(manager);
            assertThat(logits(previous, x)).containsExactly(logits(net, x));
            assertThat(previous.trainableParameters()).isEmpty();
        }
    }

    @Test
    void specChoosesBranchTypesAndPhaseZeroIsASingleNetwork() {
        ModelSpec spec = new ModelSpec("mlp", List.of(8), null, new AanetsSpec("aanets", "fixed", "ss", null, null));
        assertThat(Backbones.create(spec, 1, 3, 4, Backbones.aggregates(spec, 0)))
                .isInstanceOf(Mlp.class);
        AggregatedBackbone backbone =
                (AggregatedBackbone) Backbones.create(spec, 1, 3, 4, Backbones.aggregates(spec, 1));
        assertThat(backbone.stableType()).isEqualTo(BranchType.FIXED);
        assertThat(backbone.plasticType()).isEqualTo(BranchType.SCALED);
        ModelSpec wrong = new ModelSpec("mlp", List.of(8), null, new AanetsSpec("aanets", "ss", "elastic", null, null));
        assertThatThrownBy(() -> Backbones.create(wrong, 1, 3, 4, true))
                .isInstanceOfSatisfying(
                        SpecException.class, e -> assertThat(e.field()).isEqualTo("model.aggregation.plasticBranch"));
    }

    private static AggregatedBackbone aggregated(Backbone base) {
        return AggregatedBackbone.builder().setBase(base).build();
    }

    private static IncrementalNet net(Backbone backbone, Shape input, NDManager manager) {
        IncrementalNet net = IncrementalNet.builder()
                .setBackbone(backbone)
                .optHead(HeadType.COSINE)
                .build();
        net.initialize(manager, DataType.FLOAT32, input);
        net.addClasses(3, manager);
        return net;
    }

    private static float[] logits(IncrementalNet net, NDArray x) {
        try (NDManager batch = x.getManager().newSubManager()) {
            NDArray input = x.duplicate();
            input.attach(batch);
            return net.forward(new ParameterStore(batch, false), new NDList(input), false)
                    .head()
                    .toFloatArray();
        }
    }
}
