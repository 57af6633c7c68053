package org.mnemos.engine.parts.memory.mnemonics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.TrainingListener;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsOptions.Mode;
import org.mnemos.engine.phase.OuterLoop;
import org.mnemos.engine.phase.PhaseProgress;
import org.mnemos.engine.phase.TrainingLoop;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Six outer steps of the mnemonics stage, optimiser, learning rate, step count and projection
 * included, against the same loop written in PyTorch (src/test/resources/reference/generate_mnemonics_stage.py):
 * the code mode's SGD (momentum 0.9, weight decay 5e-4, the official StepLR's halved lr) and the
 * bilevel mode's Adam with scaled logits and the L∞ bound. The exemplars after every step and the
 * loss of each step must agree.
 */
class MnemonicsStageReferenceTest {

    private static final double TOLERANCE = 2e-5;

    @ParameterizedTest
    @ValueSource(strings = {"code", "bilevel"})
    void exemplarsAfterTheStageMatchPyTorch(String mode) throws Exception {
        JsonNode reference;
        try (InputStream in = getClass().getResourceAsStream("/reference/mnemonics_stage.json")) {
            reference = JsonMapper.builder().build().readTree(in);
        }
        int classes = reference.get("classes").asInt();
        int channels = reference.get("channels").asInt();
        int side = reference.get("side").asInt();
        JsonNode expected = reference.get(mode);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray w1 = array(manager, reference.get("w1"));
            NDArray b1 = array(manager, reference.get("b1"));
            NDArray w2 = array(manager, reference.get("w2"));
            UnaryOperator<NDArray> features = x -> {
                NDArray flat = x.reshape(x.getShape().get(0), -1);
                return Linear.linear(Linear.linear(flat, w1, b1).head().tanh(), w2, null)
                        .head();
            };
            NDArray start = images(manager, reference.get("adjusted"), channels, side);
            NDArray adjusted = start.duplicate();
            NDArray fixed = images(manager, reference.get("fixed"), channels, side);
            List<Long> labels = new ArrayList<>();
            reference.get("adjusted_labels").forEach(l -> labels.add(l.asLong()));
            reference.get("fixed_labels").forEach(l -> labels.add(l.asLong()));
            NDArray exemplarOneHot = manager.create(
                            labels.stream().mapToLong(Long::longValue).toArray())
                    .oneHot(classes);
            Shape perChannel = new Shape(1, channels, 1, 1);
            NDArray lowest =
                    manager.full(perChannel, (float) reference.get("lowest").asDouble());
            NDArray highest =
                    manager.full(perChannel, (float) reference.get("highest").asDouble());
            MnemonicsOptions options;
            NDArray bound = null;
            if (mode.equals("code")) {
                options = new MnemonicsOptions(
                        Mode.CODE,
                        0,
                        0f,
                        (float) reference.get("code_options").get("outer_lr").asDouble(),
                        1,
                        false,
                        1f,
                        Float.POSITIVE_INFINITY,
                        0);
            } else {
                JsonNode o = reference.get("bilevel_options");
                options = new MnemonicsOptions(
                        Mode.BILEVEL,
                        o.get("inner_steps").asInt(),
                        (float) o.get("inner_lr").asDouble(),
                        (float) o.get("outer_lr").asDouble(),
                        1,
                        false,
                        (float) o.get("logit_scale").asDouble(),
                        8f,
                        0.2);
                bound = manager.full(perChannel, (float) o.get("max_change").asDouble());
            }
            JsonNode queries = reference.get("queries");
            JsonNode queryLabels = reference.get("query_labels");
            OuterLoop loop = OuterLoop.quiet(
                    new TrainingLoop(new PhaseProgress(0, TrainingListener.NONE), CancellationSignal.NEVER),
                    "mnemonics",
                    OuterLoop.NonFinite.SKIP);
            try (ExemplarOptimizer optimizer =
                    new ExemplarOptimizer(options, adjusted, fixed, exemplarOneHot, lowest, highest, bound, features)) {
                for (int step = 0; step < queries.size(); step++) {
                    try (NDManager batch = manager.newSubManager()) {
                        long[] stepLabels = new long[queryLabels.get(step).size()];
                        for (int i = 0; i < stepLabels.length; i++) {
                            stepLabels[i] = queryLabels.get(step).get(i).asLong();
                        }
                        float loss = optimizer.step(
                                batch,
                                images(batch, queries.get(step), channels, side),
                                batch.create(stepLabels).oneHot(classes),
                                step,
                                loop);
                        assertThat((double) loss)
                                .as("loss of step %d", step)
                                .isCloseTo(expected.get("losses").get(step).asDouble(), within(1e-4));
                    }
                }
                assertThat(loop.skipped()).isZero();
            }
            float[] got = adjusted.toFloatArray();
            float[] want =
                    images(manager, expected.get("exemplars"), channels, side).toFloatArray();
            float[] initial = start.toFloatArray();
            double moved = 0;
            for (int i = 0; i < got.length; i++) {
                assertThat((double) got[i]).as("exemplar value %d", i).isCloseTo(want[i], within(TOLERANCE));
                moved = Math.max(moved, Math.abs(got[i] - initial[i]));
            }
            assertThat(moved).as("the steps move the exemplars visibly").isGreaterThan(0.02);
            if (bound != null) {
                double limit =
                        reference.get("bilevel_options").get("max_change").asDouble();
                assertThat(moved)
                        .as("the L∞ bound holds and binds")
                        .isLessThanOrEqualTo(limit + 1e-6)
                        .isGreaterThan(limit - 1e-4);
            }
        }
    }

    /** Nested lists [n][c][h][w] (or a flat matrix) as an (N, C, H, W) array. */
    private static NDArray images(NDManager manager, JsonNode nested, int channels, int side) {
        List<Float> values = new ArrayList<>();
        collect(nested, values);
        float[] flat = new float[values.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = values.get(i);
        }
        return manager.create(flat, new Shape(flat.length / (channels * side * side), channels, side, side));
    }

    private static NDArray array(NDManager manager, JsonNode nested) {
        List<Float> values = new ArrayList<>();
        collect(nested, values);
        float[] flat = new float[values.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = values.get(i);
        }
        return nested.get(0).isArray()
                ? manager.create(flat, new Shape(nested.size(), nested.get(0).size()))
                : manager.create(flat);
    }

    private static void collect(JsonNode node, List<Float> into) {
        if (node.isArray()) {
            node.forEach(child -> collect(child, into));
        } else {
            into.add((float) node.asDouble());
        }
    }
}
