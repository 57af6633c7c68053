package org.mnemos.engine.parts.memory.mnemonics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mnemos.engine.util.Autograd;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One mnemonics outer step's gradient with respect to the exemplars equals PyTorch's (autograd
 * through the unrolled inner steps with {@code create_graph=True}, or with the inner gradients
 * detached for first order), and so does the published code's single-level loss:
 * src/test/resources/reference/generate_mnemonics.py.
 */
class MnemonicsGradientTest {

    private static final double RELATIVE_TOLERANCE = 1e-4;

    @ParameterizedTest
    @CsvSource({"bilevel, false", "first_order, true", "code, false"})
    void exemplarGradientMatchesPyTorch(String mode, boolean firstOrder) throws Exception {
        JsonNode reference;
        try (InputStream in = getClass().getResourceAsStream("/reference/mnemonics.json")) {
            reference = JsonMapper.builder().build().readTree(in);
        }
        int classes = reference.get("classes").asInt();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray adjusted = matrix(manager, reference.get("adjusted"));
            adjusted.setRequiresGradient(true);
            NDArray fixed = matrix(manager, reference.get("fixed"));
            NDArray queries = matrix(manager, reference.get("queries"));
            NDList weights = new NDList(
                    matrix(manager, reference.get("w1")), vector(manager, reference.get("b1")),
                    matrix(manager, reference.get("w2")), vector(manager, reference.get("b2")));
            NDArray exemplarOneHot =
                    labels(manager, reference.get("exemplar_labels")).oneHot(classes);
            NDArray queryOneHot = labels(manager, reference.get("query_labels")).oneHot(classes);

            Autograd.enable();
            float loss;
            try {
                NDArray features = backbone(NDArrays.concat(new NDList(adjusted, fixed), 0), weights);
                NDArray outer = mode.equals("code")
                        ? MnemonicsObjective.codeLoss(features, exemplarOneHot, backbone(queries, weights), queryOneHot)
                        : MnemonicsObjective.outerLoss(
                                features,
                                exemplarOneHot,
                                backbone(queries, weights),
                                queryOneHot,
                                reference.get("inner_steps").asInt(),
                                (float) reference.get("inner_lr").asDouble(),
                                1f,
                                firstOrder);
                Autograd.backward(outer);
                loss = outer.getFloat();
            } finally {
                Autograd.disable();
            }
            JsonNode expected = reference.get(mode);
            assertThat((double) loss)
                    .isCloseTo(expected.get("outer_loss").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
            float[] gradient = adjusted.getGradient().toFloatArray();
            double[] want = flatten(expected.get("gradient"));
            double scale = 0;
            for (double w : want) {
                scale = Math.max(scale, Math.abs(w));
            }
            assertThat(scale).as("the reference gradient is not trivially zero").isGreaterThan(1e-4);
            for (int i = 0; i < want.length; i++) {
                assertThat(Math.abs(gradient[i] - want[i]))
                        .as("gradient[%d] = %s, PyTorch %s", i, gradient[i], want[i])
                        .isLessThanOrEqualTo(RELATIVE_TOLERANCE * scale);
            }
        }
    }

    private static NDArray backbone(NDArray x, NDList w) {
        NDArray hidden = Activation.relu(Linear.linear(x, w.get(0), w.get(1)).head());
        return Activation.relu(Linear.linear(hidden, w.get(2), w.get(3)).head());
    }

    private static double[] flatten(JsonNode rows) {
        int cols = rows.get(0).size();
        double[] out = new double[rows.size() * cols];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = rows.get(r).get(c).asDouble();
            }
        }
        return out;
    }

    private static NDArray matrix(NDManager manager, JsonNode rows) {
        double[] flat = flatten(rows);
        float[] values = new float[flat.length];
        for (int i = 0; i < flat.length; i++) {
            values[i] = (float) flat[i];
        }
        return manager.create(values, new Shape(rows.size(), rows.get(0).size()));
    }

    private static NDArray vector(NDManager manager, JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return manager.create(out);
    }

    private static NDArray labels(NDManager manager, JsonNode values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).asLong();
        }
        return manager.create(out);
    }
}
