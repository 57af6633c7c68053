package org.mnemos.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.util.Autograd;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One AANets level (the CIFAR ResNet's stem and a basic block, a scaled stable branch and a free
 * plastic one, mixed by α) on fixed weights against PyTorch written after the authors' code
 * ({@code Conv2dMtl}, the {@code fp_k} fusion): forward output, and the gradients of a fixed probe
 * of it with respect to α, the stable branch's scales and BatchNorm, and the plastic branch's
 * weights. See src/test/resources/reference/generate_aanets.py.
 */
class AanetsReferenceTest {

    private static final double TOLERANCE = 1e-5;

    /** The generator's names of the level's layers and this backbone's names of the same layers. */
    private static final Map<String, String> LAYERS = Map.of(
            "conv1", "01conv1",
            "bn1", "02bn1",
            "block_conv_a", "03stage_1_0_01conv_a",
            "block_bn_a", "03stage_1_0_02bn_a",
            "block_conv_b", "03stage_1_0_03conv_b",
            "block_bn_b", "03stage_1_0_04bn_b");

    @Test
    void oneLevelMatchesTheAuthorsFusionOfConv2dMtlAndAFreeBranch() throws Exception {
        JsonNode reference;
        try (InputStream in = AanetsReferenceTest.class.getResourceAsStream("/reference/aanets.json")) {
            reference = JsonMapper.builder().build().readTree(in);
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = array(manager, reference.get("input"));
            AggregatedBackbone backbone = AggregatedBackbone.builder()
                    .setBase(CifarResNet.builder().optBlocksPerStage(1).build())
                    .build();
            backbone.initialize(manager, DataType.FLOAT32, x.getShape());
            load(backbone.stable().getParameters(), reference.get("stable"), manager);
            load(backbone.plastic().getParameters(), reference.get("plastic"), manager);
            Parameter alpha = backbone.aggregationWeights().get(0);
            manager.create(new float[] {(float) reference.get("alpha").asDouble()})
                    .copyTo(alpha.getArray());

            NDArray output;
            try {
                Autograd.enable();
                output = backbone.forwardLevel(new ParameterStore(manager, false), 0, x, true);
                NDArray loss =
                        output.mul(array(manager, reference.get("probe"))).sum();
                Autograd.backward(loss);
                assertThat((double) loss.getFloat())
                        .isCloseTo(reference.get("expected_loss").asDouble(), within(1e-4));
            } finally {
                Autograd.disable();
            }

            assertClose(output, reference.get("expected_output"));
            assertThat((double) alpha.getArray().getGradient().getFloat(0))
                    .isCloseTo(reference.get("expected_grad_alpha").asDouble(), within(TOLERANCE));
            assertGradients(backbone.stable().getParameters(), reference.get("expected_grad_stable"), manager);
            assertGradients(backbone.plastic().getParameters(), reference.get("expected_grad_plastic"), manager);
            // Conv2dMtl's kernels are frozen: no gradient reaches them
            for (String layer : List.of("conv1", "block_conv_a", "block_conv_b")) {
                assertThat(backbone.stable()
                                .getParameters()
                                .get(LAYERS.get(layer) + "_weight")
                                .getArray()
                                .hasGradient())
                        .isFalse();
            }
        }
    }

    private static void load(ParameterList parameters, JsonNode layers, NDManager manager) {
        for (Map.Entry<String, JsonNode> layer : layers.properties()) {
            for (Map.Entry<String, JsonNode> tensor : layer.getValue().properties()) {
                Parameter parameter = parameters.get(LAYERS.get(layer.getKey()) + "_" + tensor.getKey());
                NDArray values = array(manager, tensor.getValue());
                assertThat(values.getShape()).isEqualTo(parameter.getArray().getShape());
                values.copyTo(parameter.getArray());
            }
        }
    }

    private static void assertGradients(ParameterList parameters, JsonNode layers, NDManager manager) {
        int compared = 0;
        for (Map.Entry<String, JsonNode> layer : layers.properties()) {
            for (Map.Entry<String, JsonNode> tensor : layer.getValue().properties()) {
                Parameter parameter = parameters.get(LAYERS.get(layer.getKey()) + "_" + tensor.getKey());
                assertClose(parameter.getArray().getGradient(), tensor.getValue());
                compared++;
            }
        }
        assertThat(compared).isGreaterThanOrEqualTo(6);
    }

    private static void assertClose(NDArray actual, JsonNode expected) {
        List<Double> flat = new ArrayList<>();
        List<Long> shape = new ArrayList<>();
        flatten(expected, flat, shape, 0);
        assertThat(actual.getShape())
                .isEqualTo(new Shape(shape.stream().mapToLong(Long::longValue).toArray()));
        float[] values = actual.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            assertThat((double) values[i]).as("element %d", i).isCloseTo(flat.get(i), within(TOLERANCE));
        }
    }

    private static NDArray array(NDManager manager, JsonNode nested) {
        List<Double> flat = new ArrayList<>();
        List<Long> shape = new ArrayList<>();
        flatten(nested, flat, shape, 0);
        float[] values = new float[flat.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = flat.get(i).floatValue();
        }
        return manager.create(
                values, new Shape(shape.stream().mapToLong(Long::longValue).toArray()));
    }

    private static void flatten(JsonNode node, List<Double> flat, List<Long> shape, int depth) {
        if (!node.isArray()) {
            flat.add(node.asDouble());
            return;
        }
        if (shape.size() == depth) {
            shape.add((long) node.size());
        }
        for (JsonNode child : node) {
            flatten(child, flat, shape, depth + 1);
        }
    }
}
