package org.mnemos.engine.parts.model.aanets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.model.AggregatedBackbone;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.Mlp;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.phase.PhaseContext;
import org.mnemos.engine.phase.PhaseProgress;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;
import org.mnemos.engine.phase.TrainingData;
import org.mnemos.engine.phase.TrainingLoop;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hook's α loop against the official AANets loop written in PyTorch
 * (src/test/resources/reference/generate_aanets_loop.py): two phases of three epochs on a tiny
 * aggregated network, the hook wired as the phase runner wires it. It pins the number of α steps
 * (⌈balanced set / 100⌉ per epoch), the unshuffled balanced order, the accumulation of the main
 * passes' gradients and its carry-over to the next phase (LUCIR's trainer), the zeroed variant
 * (iCaRL's trainer), the schedule and the learning rate derived from the code's update budget.
 */
class AggregationWeightLoopReferenceTest {

    private static final double TOLERANCE = 2e-5;
    private static final int IN = 4;
    private static final int HIDDEN = 3;
    private static final int MAIN_IMAGES = 6;
    private static final int EXEMPLARS = 75;

    static Stream<JsonNode> cases() throws Exception {
        try (InputStream in =
                AggregationWeightLoopReferenceTest.class.getResourceAsStream("/reference/aanets_loop.json")) {
            JsonNode reference = JsonMapper.builder().build().readTree(in);
            List<JsonNode> cases = new ArrayList<>();
            reference.get("cases").forEach(cases::add);
            return cases.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void alphaFollowsTheOfficialLoopOverTwoPhases(JsonNode reference, @TempDir Path dir) throws Exception {
        JsonNode setup;
        try (InputStream in = getClass().getResourceAsStream("/reference/aanets_loop.json")) {
            setup = JsonMapper.builder().build().readTree(in).get("setup");
        }
        Double fusionLr = reference.get("fusion_lr").isNull()
                ? null
                : reference.get("fusion_lr").asDouble();
        AanetsSpec aanets = new AanetsSpec(
                AanetsSpec.NAME,
                null,
                null,
                fusionLr,
                reference.get("accumulate").asBoolean());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = network(manager, setup.get("names"));
            Path previous = null;
            for (int phase = 0; phase < 2; phase++) {
                JsonNode expected = reference.get("phases").get(phase);
                AggregationWeightLearning hook = new AggregationWeightLearning(aanets, crossEntropyMethod());
                PhaseSession session = session(net, manager, aanets);
                if (previous != null) {
                    hook.loadState(session, previous);
                }
                hook.beforeTraining(session);
                session.trainMainStage(List.of(new CrossEntropyLoss(false)), epoch -> hook.afterEpoch(session, epoch));
                hook.afterTraining(session);
                previous = Files.createDirectories(dir.resolve("phase-" + (phase + 1)));
                hook.saveState(session, previous);

                AggregationWeightsReport report = (AggregationWeightsReport) hook.report(session);
                String where = reference.get("name").asString() + ", phase " + (phase + 1);
                assertThat(report.steps())
                        .as(where)
                        .isEqualTo(expected.get("steps").asLong());
                assertThat(report.fusionLr())
                        .as(where)
                        .isCloseTo(expected.get("fusion_lr").asDouble(), within(1e-12));
                assertThat(report.weights())
                        .as(where)
                        .hasSize(expected.get("alphas").size());
                for (int epoch = 0; epoch < report.weights().size(); epoch++) {
                    for (int level = 0; level < 2; level++) {
                        assertThat(report.weights().get(epoch).get(level))
                                .as(where + ", epoch " + epoch + ", level " + level)
                                .isCloseTo(
                                        expected.get("alphas")
                                                .get(epoch)
                                                .get(level)
                                                .asDouble(),
                                        within(TOLERANCE));
                    }
                }
            }
        }
    }

    /** The aggregated 4-3-3 MLP with a linear head of two one-class segments, weights from the generator's formula. */
    private static IncrementalNet network(NDManager manager, JsonNode names) {
        AggregatedBackbone backbone = AggregatedBackbone.builder()
                .setBase(Mlp.builder()
                        .setInputSize(IN)
                        .optHiddenUnits(List.of(HIDDEN, HIDDEN))
                        .build())
                .build();
        IncrementalNet net = IncrementalNet.builder()
                .setBackbone(backbone)
                .optHead(HeadType.LINEAR)
                .build();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 2, 2));
        net.addClasses(1, manager);
        net.addClasses(1, manager);
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k).asString();
            Parameter parameter = net.getParameters().get(name);
            Shape shape = parameter.getArray().getShape();
            float[] values = new float[(int) shape.size()];
            for (int i = 0; i < values.length; i++) {
                double v = 0.5 * Math.sin(1.7 * (i + 1) + 0.9 * (k + 1));
                values[i] = (float) (name.endsWith("scale") ? 1.0 + 0.4 * v : v);
            }
            manager.create(values, shape).copyTo(parameter.getArray());
        }
        return net;
    }

    private static PhaseSession session(IncrementalNet net, NDManager manager, AanetsSpec aanets) {
        ExperimentSpec spec = new ExperimentSpec(
                "aanets-loop",
                0L,
                null,
                DatasetSpec.named("synthetic"),
                new ProtocolSpec(1, 1, 2, null, "natural", null, null),
                new ModelSpec("mlp", List.of(HIDDEN, HIDDEN), "linear", aanets),
                MethodSpec.named("replay"),
                new MemorySpec("herding", EXEMPLARS, null),
                new TrainingSpec(
                        3,
                        null,
                        4,
                        new OptimizerSpec("sgd", 0.1, 0.9, 5e-4, false, null, null),
                        new ScheduleSpec("multistep", List.of(2), 0.1),
                        false));
        BatchTransform plain = new BatchTransform(2, 2, 1, false, new float[] {0f}, new float[] {1f});
        byte[] main = new byte[MAIN_IMAGES * IN];
        for (int i = 0; i < MAIN_IMAGES; i++) {
            System.arraycopy(new byte[] {(byte) 200, 30, 120, 60}, 0, main, i * IN, IN);
        }
        int[] newClass = new int[MAIN_IMAGES];
        Arrays.fill(newClass, 1);
        byte[] exemplars = new byte[EXEMPLARS * IN];
        for (int j = 0; j < EXEMPLARS; j++) {
            for (int p = 0; p < IN; p++) {
                exemplars[j * IN + p] = (byte) ((37 * j + 11 * p + 5) % 256);
            }
        }
        int[] sources = new int[EXEMPLARS];
        Arrays.setAll(sources, j -> j);
        ExemplarKind[] kinds = new ExemplarKind[EXEMPLARS];
        Arrays.fill(kinds, ExemplarKind.REAL);
        ExemplarSet memory = new ExemplarSet(exemplars, new int[EXEMPLARS], sources, kinds, 2, 2, 1);
        TrainingLoop loop = new TrainingLoop(new PhaseProgress(1, progress -> {}), CancellationSignal.NEVER);
        return new PhaseSession(
                new PhaseContext(
                        spec,
                        1,
                        1,
                        2,
                        net,
                        null,
                        manager,
                        plain,
                        plain,
                        new Random(0),
                        loop,
                        2,
                        2,
                        1,
                        new int[] {0, 1},
                        false),
                new Samples(main, newClass, IN),
                memory);
    }

    private static CilMethod crossEntropyMethod() {
        return new CilMethod(
                "reference-loop",
                "Cross-entropy on the phase's training set.",
                TrainingData.NEW_CLASSES_AND_EXEMPLARS,
                true,
                ClassifierRule.CNN,
                null,
                false,
                (oldClasses, newClasses) -> List.of(new CrossEntropyLoss(false)),
                List.of());
    }
}
