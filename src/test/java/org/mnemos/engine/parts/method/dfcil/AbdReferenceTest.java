package org.mnemos.engine.parts.method.dfcil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.model.BatchNormTap;
import org.mnemos.engine.phase.loss.DetachedHeadCrossEntropy;
import org.mnemos.engine.phase.loss.ImportanceWeightedFeatureDistillation;
import org.mnemos.engine.phase.loss.LocalCrossEntropy;
import org.mnemos.engine.phase.loss.ReplayDistillation;
import org.mnemos.engine.phase.loss.SigmoidDistillationLoss;
import org.mnemos.engine.phase.loss.StepContext;
import org.mnemos.engine.util.Autograd;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Always Be Dreaming's inversion terms and training losses, DeepInversion's replay distillation and
 * LwF.MC's loss against PyTorch on fixed tensors (src/test/resources/reference/generate_abd.py,
 * transcribed from GT-RIPL/AlwaysBeDreaming-DFCIL), to 1e-5.
 */
class AbdReferenceTest {

    private static final double TOLERANCE = 1e-5;
    private static JsonNode reference;
    private static NDManager manager;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = AbdReferenceTest.class.getResourceAsStream("/reference/abd.json")) {
            reference = JsonMapper.builder().build().readTree(in);
        }
        manager = NDManager.newBaseManager(ai.djl.Device.cpu());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void contentAndClassBalanceMatchTheAuthors() {
        JsonNode c = reference.get("inversion_logits");
        NDArray logits = tensor(c.get("logits"));
        assertThat(value(InversionLoss.content(logits, 1000)))
                .isCloseTo(c.get("content_tau_1000").asDouble(), within(TOLERANCE));
        assertThat(value(InversionLoss.content(logits, 2)))
                .isCloseTo(c.get("content_tau_2").asDouble(), within(TOLERANCE));
        assertThat(value(InversionLoss.classBalance(logits)))
                .isCloseTo(c.get("class_balance").asDouble(), within(TOLERANCE));
    }

    @Test
    void batchNormStatisticsMatchDeepInversionsHook() {
        JsonNode c = reference.get("batch_norm");
        BatchNormTap.Observation layer = new BatchNormTap.Observation(
                tensor(c.get("input")), tensor(c.get("running_mean")), tensor(c.get("running_var")));
        assertThat(value(InversionLoss.batchNormStatistics(layer)))
                .isCloseTo(c.get("expected").asDouble(), within(TOLERANCE));
        // the network's term is the mean over its layers
        NDArray two = InversionLoss.batchNormStatistics(List.of(layer, layer), layer.input());
        assertThat(value(two)).isCloseTo(c.get("expected").asDouble(), within(TOLERANCE));
    }

    @Test
    void smoothnessMatchesTheAuthorsGaussianBlurWithReflectPadding() {
        JsonNode c = reference.get("smoothness");
        float[] kernel = InversionLoss.gaussianKernel();
        float[] expectedKernel = tensor(c.get("kernel")).toFloatArray();
        for (int i = 0; i < kernel.length; i++) {
            assertThat((double) kernel[i]).isCloseTo(expectedKernel[i], within(1e-7));
        }
        NDArray images = tensor(c.get("images"));
        float[] blurred = InversionLoss.blur(images).toFloatArray();
        float[] expected = tensor(c.get("blurred")).toFloatArray();
        for (int i = 0; i < blurred.length; i++) {
            assertThat((double) blurred[i]).isCloseTo(expected[i], within(TOLERANCE));
        }
        assertThat(value(InversionLoss.smoothness(images)))
                .isCloseTo(c.get("expected").asDouble(), within(TOLERANCE));
    }

    @Test
    void abdTrainingLossesMatchTheAuthors() {
        JsonNode c = reference.get("abd");
        StepContext step = abdStep(c);
        assertThat(value(new LocalCrossEntropy().compute(step)))
                .isCloseTo(c.get("local_ce").asDouble(), within(TOLERANCE));
        assertThat(value(new DetachedHeadCrossEntropy().compute(step)))
                .isCloseTo(c.get("head_ce").asDouble(), within(TOLERANCE));
        assertThat(value(new ImportanceWeightedFeatureDistillation(c.get("mu").asDouble()).compute(step)))
                .isCloseTo(c.get("feature_distillation").asDouble(), within(TOLERANCE));
    }

    @Test
    void theHeadOnlyCrossEntropyNeverReachesTheFeatures() {
        JsonNode c = reference.get("abd");
        NDArray features = tensor(c.get("features"));
        features.setRequiresGradient(true);
        Autograd.enable();
        try {
            // + 0·Σf keeps the features in the graph, so their gradient is what the CE alone sends them
            NDArray loss = new DetachedHeadCrossEntropy()
                    .compute(abdStep(c, features))
                    .add(features.sum().mul(0f));
            Autograd.backward(loss);
        } finally {
            Autograd.disable();
        }
        assertThat(features.getGradient().abs().sum().getFloat()).isZero();
    }

    @Test
    void deepInversionAndLwfMcMatchTheAuthors() {
        JsonNode c = reference.get("abd");
        StepContext step = abdStep(c);
        assertThat(value(new ReplayDistillation(2, 1).compute(step)))
                .isCloseTo(c.get("deepinversion_kd_t2_mu1").asDouble(), within(TOLERANCE));
        assertThat(value(new SigmoidDistillationLoss().compute(step)))
                .isCloseTo(c.get("lwf_mc").asDouble(), within(TOLERANCE));
        StepContext first = new StepContext(step.outputs(), null, step.targets(), 0, step.totalClasses(), null);
        assertThat(value(new SigmoidDistillationLoss().compute(first)))
                .isCloseTo(c.get("lwf_mc_first_phase").asDouble(), within(TOLERANCE));
    }

    private static StepContext abdStep(JsonNode c) {
        return abdStep(c, tensor(c.get("features")));
    }

    private static StepContext abdStep(JsonNode c, NDArray features) {
        NDArray headWeight = tensor(c.get("head_weight"));
        NDArray headBias = tensor(c.get("head_bias"));
        NDArray previousWeight = tensor(c.get("previous_head_weight"));
        NDArray previousBias = tensor(c.get("previous_head_bias"));
        NDArray previousFeatures = tensor(c.get("previous_features"));
        NDArray logits = Linear.linear(features, headWeight, headBias).head();
        NDArray previousLogits =
                Linear.linear(previousFeatures, previousWeight, previousBias).head();
        long[] targets = new long[c.get("targets").size()];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = c.get("targets").get(i).asLong();
        }
        return new StepContext(
                new NDList(logits, features),
                new NDList(previousLogits, previousFeatures),
                manager.create(targets),
                c.get("old_classes").asInt(),
                c.get("seen_classes").asInt(),
                null,
                c.get("real_rows").asInt(),
                f -> Linear.linear(f, headWeight, headBias).head(),
                f -> Linear.linear(f, previousWeight, previousBias).head());
    }

    /** A nested JSON array of numbers as a float32 tensor of the same shape. */
    private static NDArray tensor(JsonNode nested) {
        List<Long> shape = new ArrayList<>();
        JsonNode node = nested;
        while (node.isArray()) {
            shape.add((long) node.size());
            node = node.get(0);
        }
        List<Float> values = new ArrayList<>();
        flatten(nested, values);
        float[] flat = new float[values.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = values.get(i);
        }
        return manager.create(
                flat, new Shape(shape.stream().mapToLong(Long::longValue).toArray()));
    }

    private static void flatten(JsonNode node, List<Float> out) {
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
