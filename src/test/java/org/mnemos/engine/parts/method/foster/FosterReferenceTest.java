package org.mnemos.engine.parts.method.foster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.Mlp;
import org.mnemos.engine.phase.loss.BalancedDistillationLoss;
import org.mnemos.engine.phase.loss.LogitAdjustedCrossEntropy;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.NewExtractorCrossEntropy;
import org.mnemos.engine.phase.loss.OldHeadDistillation;
import org.mnemos.engine.phase.loss.StepContext;
import org.mnemos.engine.util.Autograd;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * FOSTER's loss terms, class weights and weight alignment against values PyTorch computed after
 * PyCIL's models/foster.py: see src/test/resources/reference/generate_foster.py. Values and the
 * gradients autograd takes through each term.
 */
class FosterReferenceTest {

    private static final double TOLERANCE = 1e-5;
    private static JsonNode reference;
    private NDManager manager;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = FosterReferenceTest.class.getResourceAsStream("/reference/foster.json")) {
            reference = JsonMapper.builder().build().readTree(in);
        }
    }

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        Autograd.disable();
        manager.close();
    }

    private static int[] counts() {
        JsonNode counts = reference.get("setup").get("counts");
        int[] result = new int[counts.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = counts.get(i).asInt();
        }
        return result;
    }

    private static double setup(String key) {
        return reference.get("setup").get(key).asDouble();
    }

    private static int known() {
        return reference.get("setup").get("known").asInt();
    }

    private static int total() {
        return reference.get("setup").get("total").asInt();
    }

    @Test
    void effectiveNumberWeightsMatchPyCil() {
        assertVector(
                FosterStages.effectiveNumberWeights(setup("beta1"), counts()), reference.get("per_cls_weights_beta1"));
        assertVector(
                FosterStages.effectiveNumberWeights(setup("beta2"), counts()), reference.get("per_cls_weights_beta2"));
    }

    @Test
    void logitAdjustedCrossEntropyAndItsGradientMatch() {
        JsonNode c = reference.get("logit_adjusted_ce");
        NDArray logits = leaf(c.get("logits"));
        LossTerm term = new LogitAdjustedCrossEntropy(FosterStages.effectiveNumberWeights(setup("beta1"), counts()));
        NDArray loss = term.compute(step(logits, null, null, null));
        assertLossAndGradient(loss, c.get("expected_loss"), logits, c.get("expected_grad_logits"));
    }

    @Test
    void newExtractorCrossEntropyAndItsGradientsMatch() {
        JsonNode c = reference.get("fe_ce");
        NDArray newFeatures = leaf(c.get("new_features"));
        Parameter weight = parameter("fe_weight", leaf(c.get("fe_weight")));
        Parameter bias = parameter("fe_bias", leaf(c.get("fe_bias")));
        NDArray logits = matrix(reference.get("logit_adjusted_ce").get("logits"));
        NDArray loss = new NewExtractorCrossEntropy(weight, bias).compute(step(logits, null, newFeatures, null));
        assertLossAndGradient(loss, c.get("expected_loss"), newFeatures, c.get("expected_grad_features"));
        assertMatrix(weight.getArray().getGradient(), c.get("expected_grad_weight"));
        assertMatrix(bias.getArray().getGradient(), c.get("expected_grad_bias"));
    }

    @Test
    void distillationFromTheOldHeadAndItsGradientMatch() {
        JsonNode c = reference.get("kd");
        NDArray logits = leaf(reference.get("logit_adjusted_ce").get("logits"));
        LossTerm term = new OldHeadDistillation(
                matrix(c.get("old_weight")), vector(c.get("old_bias")), setup("temperature"), setup("lambda_okd"));
        NDArray loss = term.compute(step(logits, matrix(c.get("old_features")), null, null));
        assertLossAndGradient(loss, c.get("expected_loss"), logits, c.get("expected_grad_logits"));
    }

    @Test
    void balancedDistillationAndItsGradientMatch() {
        JsonNode c = reference.get("bkd");
        NDArray student = leaf(c.get("student_logits"));
        LossTerm term = new BalancedDistillationLoss(
                FosterStages.effectiveNumberWeights(setup("beta2"), counts()), setup("temperature"));
        assertThat(term.needsPreviousModel()).isTrue();
        NDArray loss = term.compute(step(student, null, null, matrix(c.get("teacher_logits"))));
        assertLossAndGradient(loss, c.get("expected_loss"), student, c.get("expected_grad_student"));
    }

    @Test
    void weightAlignmentScalesTheNewRowsAsPyCil() {
        JsonNode c = reference.get("weight_align");
        NDArray weights = matrix(c.get("fc_weight"));
        int dim = (int) weights.getShape().get(1);
        IncrementalNet net = IncrementalNet.builder()
                .setBackbone(Mlp.builder()
                        .setInputSize(3)
                        .optHiddenUnits(List.of(dim))
                        .build())
                .build();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 1, 3));
        net.addClasses(known(), manager);
        net.addClasses(total() - known(), manager);
        net.setSegmentWeight(0, weights.get("0:{}", known()));
        net.setSegmentWeight(1, weights.get("{}:", known()));
        FosterStages.alignWeights(net, known(), total() - known(), setup("wa_value"));
        JsonNode aligned = c.get("expected_aligned");
        NDArray expected = matrix(aligned);
        assertClose(net.segmentWeight(0), expected.get("0:{}", known()));
        assertClose(net.segmentWeight(1), expected.get("{}:", known()));
    }

    private StepContext step(NDArray logits, NDArray oldFeatures, NDArray newFeatures, NDArray teacher) {
        long batch = logits.getShape().get(0);
        NDArray old = oldFeatures != null ? oldFeatures : manager.zeros(new Shape(batch, 4));
        NDArray fresh = newFeatures != null ? newFeatures : manager.zeros(new Shape(batch, 4));
        NDArray features = old.concat(fresh, 1);
        return new StepContext(
                new NDList(logits, features, old, fresh),
                teacher == null ? null : new NDList(teacher),
                labels(),
                known(),
                total(),
                null);
    }

    private void assertLossAndGradient(NDArray loss, JsonNode expectedLoss, NDArray input, JsonNode expectedGradient) {
        assertThat((double) loss.getFloat()).isCloseTo(expectedLoss.asDouble(), within(TOLERANCE));
        Autograd.backward(loss);
        assertMatrix(input.getGradient(), expectedGradient);
    }

    private NDArray leaf(JsonNode values) {
        NDArray array = values.get(0).isArray() ? matrix(values) : vector(values);
        array.setRequiresGradient(true);
        Autograd.enable();
        return array;
    }

    private static Parameter parameter(String name, NDArray array) {
        Parameter parameter =
                Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        parameter.setArray(array);
        return parameter;
    }

    private NDArray matrix(JsonNode rows) {
        float[][] values = new float[rows.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = new float[rows.get(i).size()];
            for (int j = 0; j < values[i].length; j++) {
                values[i][j] = (float) rows.get(i).get(j).asDouble();
            }
        }
        return manager.create(values);
    }

    private NDArray vector(JsonNode values) {
        float[] result = new float[values.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = (float) values.get(i).asDouble();
        }
        return manager.create(result);
    }

    private NDArray labels() {
        JsonNode targets = reference.get("setup").get("targets");
        long[] result = new long[targets.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = targets.get(i).asLong();
        }
        return manager.create(result);
    }

    private void assertMatrix(NDArray actual, JsonNode expected) {
        assertClose(actual, expected.get(0).isArray() ? matrix(expected) : vector(expected));
    }

    private static void assertClose(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("element %d", i).isCloseTo(e[i], within(TOLERANCE));
        }
    }

    private static void assertVector(float[] actual, JsonNode expected) {
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i])
                    .as("element %d", i)
                    .isCloseTo(expected.get(i).asDouble(), within(TOLERANCE));
        }
    }
}
