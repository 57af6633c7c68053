package org.mnemos.engine.phase.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.InputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each loss term against values PyTorch computed independently: see
 * src/test/resources/reference/generate_losses.py (regenerate with Debian's python3-torch).
 */
class LossReferenceTest {

    private static final double TOLERANCE = 1e-5;
    private static JsonNode reference;
    private static NDManager manager;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = LossReferenceTest.class.getResourceAsStream("/reference/losses.json")) {
            reference = JsonMapper.builder().build().readTree(in);
        }
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void crossEntropyMatchesPyTorch() {
        JsonNode c = reference.get("cross_entropy");
        StepContext step = step(matrix(c.get("logits")), null, c.get("targets"), 0, 8, null);
        assertThat(value(new CrossEntropyLoss(false).compute(step)))
                .isCloseTo(c.get("expected_mean_loss").asDouble(), within(TOLERANCE));
    }

    @Test
    void distillationMatchesPyCilKdLoss() {
        JsonNode c = reference.get("kd_lwf");
        int old = c.get("old_classes").asInt();
        NDArray student = matrix(c.get("student_logits_all_classes"));
        StepContext step = new StepContext(
                new NDList(student, student),
                new NDList(matrix(c.get("teacher_logits_old_classes"))),
                labels(reference.get("cross_entropy").get("targets")),
                old,
                (int) student.getShape().get(1),
                null);
        double loss = value(new KnowledgeDistillationLoss(c.get("temperature").asDouble(), 1.0).compute(step));
        assertThat(loss).isCloseTo(c.get("expected_loss").asDouble(), within(TOLERANCE));
    }

    @Test
    void lessForgetConstraintMatchesLucir() {
        JsonNode c = reference.get("lucir_less_forget");
        LessForgetLoss term = LessForgetLoss.adaptive(
                c.get("lambda_base").asDouble(),
                c.get("old_classes").asInt(),
                c.get("new_classes").asInt());
        assertThat(term.lambda()).isCloseTo(c.get("expected_lambda").asDouble(), within(1e-9));
        NDArray features = matrix(c.get("new_features"));
        StepContext step = new StepContext(
                new NDList(features, features), new NDList(features, matrix(c.get("old_features"))), null, 5, 8, null);
        assertThat(value(term.compute(step)))
                .isCloseTo(c.get("expected_weighted_loss").asDouble(), within(TOLERANCE));
    }

    @Test
    void marginRankingMatchesLucirOnRawCosines() {
        JsonNode c = reference.get("lucir_margin_ranking");
        NDArray sigma = manager.create((float) c.get("sigma").asDouble());
        NDArray logits = matrix(c.get("ce_logits_after_sigma"));
        MarginRankingLoss term =
                new MarginRankingLoss(c.get("margin").asDouble(), c.get("top_k").asInt(), 1.0);
        int old = c.get("old_classes").asInt();
        StepContext withOld = step(logits, null, c.get("targets"), old, 8, sigma);
        assertThat(value(term.compute(withOld)))
                .isCloseTo(c.get("expected_loss").asDouble(), within(TOLERANCE));
        StepContext onlyNew = step(logits, null, c.get("targets_without_old_classes"), old, 8, sigma);
        assertThat(value(term.compute(onlyNew))).isCloseTo(0.0, within(TOLERANCE));
    }

    @Test
    void podSpatialMatchesPodnet() {
        JsonNode c = reference.get("pod_spatial");
        NDList current = new NDList(
                manager.zeros(new ai.djl.ndarray.types.Shape(1)), manager.zeros(new ai.djl.ndarray.types.Shape(1)));
        NDList previous = new NDList(
                manager.zeros(new ai.djl.ndarray.types.Shape(1)), manager.zeros(new ai.djl.ndarray.types.Shape(1)));
        for (int layer = 0; layer < c.get("new_feature_maps").size(); layer++) {
            current.add(tensor(c.get("new_feature_maps").get(layer)));
            previous.add(tensor(c.get("old_feature_maps").get(layer)));
        }
        StepContext step = new StepContext(current, previous, null, 5, 8, null);
        assertThat(value(new PodSpatialLoss(1.0).compute(step)))
                .isCloseTo(c.get("expected_loss").asDouble(), within(TOLERANCE));
    }

    @Test
    void podFlatIsCosineEmbeddingOfRawFeatures() {
        JsonNode c = reference.get("pod_flat");
        NDArray features = matrix(c.get("new_features"));
        StepContext step = new StepContext(
                new NDList(features, features), new NDList(features, matrix(c.get("old_features"))), null, 5, 8, null);
        assertThat(value(new PodFlatLoss(1.0).compute(step)))
                .isCloseTo(c.get("expected_loss").asDouble(), within(TOLERANCE));
    }

    @Test
    void ncaMatchesPodnetCodeAndPaperVariant() {
        JsonNode c = reference.get("nca");
        NDArray similarities = matrix(c.get("similarities"));
        for (JsonNode variant : c.get("cases")) {
            NDArray scale = manager.create((float) variant.get("scale").asDouble());
            StepContext step = step(similarities.mul(scale), null, c.get("targets"), 5, 8, scale);
            double code = value(new NcaLoss(c.get("margin").asDouble(), false).compute(step));
            double paper = value(new NcaLoss(c.get("margin").asDouble(), true).compute(step));
            assertThat(code).isCloseTo(variant.get("expected_loss").asDouble(), within(TOLERANCE));
            assertThat(paper)
                    .isCloseTo(
                            variant.get("comparison_only_margin_on_target_only").asDouble(), within(TOLERANCE));
        }
    }

    private static StepContext step(
            NDArray logits, NDList previous, JsonNode targets, int old, int total, NDArray scale) {
        return new StepContext(new NDList(logits, logits), previous, labels(targets), old, total, scale);
    }

    private static NDArray labels(JsonNode values) {
        long[] result = new long[values.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = values.get(i).asLong();
        }
        return manager.create(result);
    }

    private static NDArray matrix(JsonNode rows) {
        return tensor(rows);
    }

    /** A nested JSON array of numbers as a float32 tensor of the same shape. */
    private static NDArray tensor(JsonNode nested) {
        java.util.List<Long> shape = new java.util.ArrayList<>();
        JsonNode node = nested;
        while (node.isArray()) {
            shape.add((long) node.size());
            node = node.get(0);
        }
        java.util.List<Float> values = new java.util.ArrayList<>();
        flatten(nested, values);
        float[] flat = new float[values.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = values.get(i);
        }
        return manager.create(
                flat,
                new ai.djl.ndarray.types.Shape(
                        shape.stream().mapToLong(Long::longValue).toArray()));
    }

    private static void flatten(JsonNode node, java.util.List<Float> out) {
        if (node.isArray()) {
            node.forEach(child -> flatten(child, out));
        } else {
            out.add((float) node.asDouble());
        }
    }

    private static double value(NDArray scalar) {
        return scalar.toType(DataType.FLOAT64, false).getDouble();
    }
}
