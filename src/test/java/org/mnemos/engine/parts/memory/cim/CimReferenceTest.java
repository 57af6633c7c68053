package org.mnemos.engine.parts.memory.cim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.memory.ExemplarCompression;
import org.mnemos.engine.model.ActivationOverride;
import org.mnemos.engine.model.CifarResNet;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.RationalActivations;
import org.mnemos.engine.parts.memory.ClassActivationMaps;
import org.mnemos.engine.util.Autograd;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * CIM's pieces against PyTorch on fixed tensors ({@code src/test/resources/reference/generate_cim.py},
 * written after the authors' meta-iteration): the rational activation's forward and backward, the
 * CAM (normalised, resized) and one meta-iteration's gradient with respect to every rational
 * coefficient, second order and first order, to 1e-4.
 */
class CimReferenceTest {

    private static final double TOLERANCE = 1e-4;
    private static JsonNode reference;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = CimReferenceTest.class.getResourceAsStream("/reference/cim.json")) {
            reference = JsonMapper.builder().build().readTree(in);
        }
    }

    private static float[] floats(JsonNode node) {
        float[] values = new float[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) node.get(i).asDouble();
        }
        return values;
    }

    private static void assertClose(float[] actual, JsonNode expected, String what) {
        assertThat(actual).as(what).hasSize(expected.size());
        for (int i = 0; i < actual.length; i++) {
            double e = expected.get(i).asDouble();
            assertThat((double) actual[i])
                    .as("%s[%d]", what, i)
                    .isCloseTo(e, within(TOLERANCE * Math.max(1, Math.abs(e))));
        }
    }

    @Test
    void rationalForwardAndBackwardMatchPyTorch() {
        JsonNode r = reference.get("rational");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = manager.create(floats(r.get("x")));
            NDArray coefficients = manager.create(floats(r.get("coefficients")));
            x.setRequiresGradient(true);
            coefficients.setRequiresGradient(true);
            Autograd.enable();
            NDArray y;
            try {
                y = RationalActivations.apply(x, coefficients);
                Autograd.backward(y.mul(manager.create(floats(r.get("probe")))).sum());
            } finally {
                Autograd.disable();
            }
            assertClose(y.toFloatArray(), r.get("expected_output"), "output");
            assertClose(x.getGradient().toFloatArray(), r.get("expected_grad_x"), "grad x");
            assertClose(
                    coefficients.getGradient().toFloatArray(),
                    r.get("expected_grad_coefficients"),
                    "grad coefficients");
        }
        // at initialisation the unit is close to ReLU on [-3, 3], as the package's fit promises
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[] grid = {-3f, -1f, -0.2f, 0.5f, 2f, 3f};
            float[] out = RationalActivations.apply(
                            manager.create(grid), manager.create(RationalActivations.reluInit()))
                    .toFloatArray();
            for (int i = 0; i < grid.length; i++) {
                assertThat((double) out[i]).isCloseTo(Math.max(0, grid[i]), within(0.1));
            }
        }
    }

    private static IncrementalNet network(NDManager manager) {
        int side = reference.get("side").asInt();
        IncrementalNet net = IncrementalNet.builder()
                .setBackbone(CifarResNet.builder().optBlocksPerStage(1).build())
                .build();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, side, side));
        net.addClasses(reference.get("classes").asInt(), manager);
        JsonNode values = reference.get("parameters");
        JsonNode shapes = reference.get("parameter_shapes");
        List<Parameter> parameters = new ArrayList<>();
        net.getParameters().forEach(p -> parameters.add(p.getValue()));
        assertThat(parameters).hasSize(values.size());
        for (int i = 0; i < parameters.size(); i++) {
            NDArray array = parameters.get(i).getArray();
            long[] shape = new long[shapes.get(i).size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = shapes.get(i).get(d).asLong();
            }
            assertThat(array.getShape()).as(parameters.get(i).getName()).isEqualTo(new Shape(shape));
            manager.create(floats(values.get(i)), array.getShape()).copyTo(array);
        }
        return net;
    }

    private static RationalActivations coefficients() {
        List<float[]> sites = new ArrayList<>();
        reference.get("coefficients").forEach(site -> sites.add(floats(site)));
        return RationalActivations.of(sites);
    }

    private static NDArray images(NDManager manager, String key) {
        int side = reference.get("side").asInt();
        return manager.create(
                floats(reference.get(key)), new Shape(reference.get(key).size() / (3L * side * side), 3, side, side));
    }

    private static NDArray labels(NDManager manager, String key) {
        JsonNode node = reference.get(key);
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = node.get(i).asLong();
        }
        return manager.create(values);
    }

    @Test
    void camOfTheMaskModelMatchesPyTorch() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = network(manager);
            RationalActivations activations = coefficients();
            NDArray x = images(manager, "x");
            NDArray y = labels(manager, "y");
            var params = ActivationOverride.params(activations.forward(manager, false));
            NDList out = net.forward(new ai.djl.training.ParameterStore(manager, false), new NDList(x), false, params);
            NDArray cams = ClassActivationMaps.normalised(ClassActivationMaps.raw(
                    out.get(out.size() - 1), ClassActivationMaps.classWeights(net, manager), y));
            assertClose(cams.toFloatArray(), reference.get("bilevel").get("cams"), "cams");
            int side = reference.get("side").asInt();
            int h = (int) cams.getShape().get(2);
            float[] flat = cams.toFloatArray();
            float[] resized = new float[0];
            for (int i = 0; i < cams.getShape().get(0); i++) {
                float[] one = ExemplarCompression.resizeBilinear(
                        java.util.Arrays.copyOfRange(flat, i * h * h, (i + 1) * h * h), h, h, side, side);
                float[] joined = java.util.Arrays.copyOf(resized, resized.length + one.length);
                System.arraycopy(one, 0, joined, resized.length, one.length);
                resized = joined;
            }
            assertClose(resized, reference.get("bilevel").get("cams_resized"), "resized cams");
            NDArray hybrid = CimTraining.hybrid(x, cams, reference.get("ratio").asDouble(), manager);
            assertClose(hybrid.toFloatArray(), reference.get("bilevel").get("hybrid"), "hybrid images");
        }
    }

    private static void assertMetaStep(String mode) {
        JsonNode expected = reference.get(mode);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = network(manager);
            RationalActivations activations = coefficients();
            CimTraining.MetaStep step = CimTraining.metaStep(
                    net,
                    activations,
                    images(manager, "x"),
                    labels(manager, "y"),
                    images(manager, "next_x"),
                    labels(manager, "next_y"),
                    reference.get("inner_lr").asDouble(),
                    mode.equals("firstOrder"),
                    reference.get("ratio").asDouble(),
                    reference.get("div_coef").asDouble(),
                    reference.get("reg_coef").asDouble(),
                    null,
                    manager);
            assertThat(step.innerLoss()).isCloseTo(expected.get("inner_loss").asDouble(), within(TOLERANCE));
            assertThat(step.divLoss()).isCloseTo(expected.get("div_loss").asDouble(), within(TOLERANCE));
            assertThat(step.regLoss()).isCloseTo(expected.get("reg_loss").asDouble(), within(TOLERANCE));
            assertThat(step.outerLoss()).isCloseTo(expected.get("outer_loss").asDouble(), within(TOLERANCE));
            for (int site = 0; site < step.gradients().length; site++) {
                assertClose(
                        step.gradients()[site],
                        expected.get("grad_coefficients").get(site),
                        mode + " site " + site);
            }
            // the network's own parameters are untouched and carry no gradient from the meta step
            net.getParameters()
                    .forEach(p -> assertThat(!p.getValue().getArray().hasGradient()
                                    || p.getValue()
                                                    .getArray()
                                                    .getGradient()
                                                    .abs()
                                                    .sum()
                                                    .getFloat()
                                            == 0f)
                            .as(p.getKey())
                            .isTrue());
        }
    }

    @Test
    void bilevelMetaStepGradientMatchesPyTorchWithCreateGraph() {
        assertMetaStep("bilevel");
    }

    @Test
    void firstOrderMetaStepGradientMatchesPyTorchWithTheInnerGradientDetached() {
        assertMetaStep("firstOrder");
    }
}
