package org.mnemos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.catalog.MethodCatalog;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.DataPathException;
import org.mnemos.engine.Datasets;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.events.EventPublisher;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Every malformed submission is a 4xx problem naming the field; none reaches the engine or the database. */
@WebMvcTest(controllers = ExperimentController.class)
@Import({
    ExperimentService.class,
    SpecReader.class,
    SpecValidator.class,
    MethodCatalog.class,
    PresetCatalog.class,
    org.mnemos.web.ProblemHandler.class,
    SubmissionValidationTest.Properties.class
})
class SubmissionValidationTest {

    @org.springframework.boot.test.context.TestConfiguration
    @org.springframework.boot.context.properties.EnableConfigurationProperties({
        LimitsProperties.class,
        org.mnemos.security.SecurityProperties.class
    })
    static class Properties {

        /** Transactions that run their callback inline: the service also builds its snapshot template on this manager. */
        @org.springframework.context.annotation.Bean
        TransactionTemplate tx() {
            return new TransactionTemplate(
                    org.mockito.Mockito.mock(org.springframework.transaction.PlatformTransactionManager.class));
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String VALID = """
            {"name":"split-mnist-replay","seed":0,"dataset":{"name":"mnist"},
             "protocol":{"initialClasses":2,"increment":2,"classOrder":"natural"},
             "model":{"backbone":"mlp","hiddenUnits":[400,400]},"method":{"name":"replay"},
             "memory":{"selector":"herding","perClass":100},
             "training":{"iterations":2000,"batchSize":128,"optimizer":{"name":"adam","lr":0.001}}}""";

    @Autowired
    MockMvc mvc;

    @MockitoBean
    CilEngine engine;

    @MockitoBean
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @MockitoBean
    Datasets datasets;

    @MockitoBean
    org.mnemos.config.RunMemoryCheck memory;

    @MockitoBean
    ExperimentRepository experiments;

    @MockitoBean
    PhaseRepository phases;

    @MockitoBean
    PhaseQueue queue;

    @MockitoBean
    EventPublisher events;

    @MockitoBean
    ArtifactStore artifacts;

    @MockitoBean
    VersionInfo versions;

    @MockitoBean
    org.mnemos.events.EventQueries eventQueries;

    @MockitoBean
    org.mnemos.artifacts.CheckpointUploads checkpoints;

    @MockitoBean
    Forks forks;

    @BeforeEach
    void stubs() {
        when(versions.versions()).thenReturn(java.util.Map.of("mnemos", "test"));
        when(engine.plan(any())).thenAnswer(call -> naturalPlan(call.getArgument(0)));
        // a repository answers with the entity it stored
        when(experiments.saveAndFlush(any())).thenAnswer(call -> call.getArgument(0));
    }

    private static RunPlan naturalPlan(ExperimentSpec spec) {
        List<List<Integer>> phases = List.of(List.of(0, 1), List.of(2, 3), List.of(4, 5), List.of(6, 7), List.of(8, 9));
        return new RunPlan(
                spec,
                List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
                phases,
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    }

    static ObjectNode valid() {
        return (ObjectNode) JSON.readTree(VALID);
    }

    /** The valid spec with one change at a dotted path; a null value removes the field. */
    static String with(String path, Object value) {
        return mutate(root -> {
            String[] parts = path.split("\\.");
            ObjectNode node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                node = node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
            }
            String last = parts[parts.length - 1];
            if (value == null) {
                node.remove(last);
            } else {
                node.set(last, JSON.valueToTree(value));
            }
        });
    }

    /** The valid spec with the mnemonics selector and one of its options set. */
    static String mnemonicsWith(String option, Object value) {
        return mutate(root -> {
            ObjectNode memory = (ObjectNode) root.get("memory");
            memory.put("selector", "mnemonics");
            memory.putObject("mnemonics").set(option, JSON.valueToTree(value));
        });
    }

    /** The valid spec with method foster and one of its options set. */
    static String fosterWith(String option, Object value) {
        return mutate(root -> {
            ObjectNode method = (ObjectNode) root.get("method");
            method.put("name", "foster");
            method.set(option, JSON.valueToTree(value));
        });
    }

    /** The valid spec with a byte budget instead of perClass. */
    static String bytesBudget(Object value) {
        return mutate(root -> {
            ObjectNode memory = (ObjectNode) root.get("memory");
            memory.remove("perClass");
            memory.set("bytes", JSON.valueToTree(value));
        });
    }

    /** The valid spec on ResNet-32 with compression {@code kind} and one of its options set (none when option is null). */
    static String compressionWith(String kind, String option, Object value) {
        return mutate(root -> {
            ((ObjectNode) root.get("model")).put("backbone", "resnet32").remove("hiddenUnits");
            ObjectNode compression = ((ObjectNode) root.get("memory")).putObject("compression");
            compression.put("name", kind);
            if (option != null) {
                compression.set(option, JSON.valueToTree(value));
            }
        });
    }

    /** The valid spec as an ABD run (no memory) with one of its options set. */
    static String abdWith(String option, Object value) {
        return mutate(root -> {
            root.remove("memory");
            ObjectNode method = (ObjectNode) root.get("method");
            method.put("name", "abd");
            method.set(option, JSON.valueToTree(value));
        });
    }

    static String mutate(Consumer<ObjectNode> change) {
        ObjectNode root = valid();
        change.accept(root);
        return root.toString();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("truncated JSON", "{\"name\":", 400, null),
                Arguments.of("not JSON at all", "name=split", 400, null),
                Arguments.of("JSON array instead of object", "[1,2]", 400, "$"),
                Arguments.of("trailing garbage", VALID + " {}", 400, null),
                Arguments.of("unknown top-level field", with("epochs", 3), 400, "epochs"),
                Arguments.of(
                        "unknown nested field",
                        with("training.optimizer.learningRate", 0.1),
                        400,
                        "training.optimizer.learningRate"),
                Arguments.of("batch size as string", with("training.batchSize", "128"), 400, "training.batchSize"),
                Arguments.of("batch size as float", with("training.batchSize", 12.5), 400, "training.batchSize"),
                Arguments.of("hidden units not a list", with("model.hiddenUnits", 400), 400, "model.hiddenUnits"),
                Arguments.of(
                        "brightness jitter above 1",
                        with("training.brightnessJitter", 1.5),
                        400,
                        "training.brightnessJitter"),
                Arguments.of("shortcut on an mlp", with("model.shortcut", "projection"), 400, "model.shortcut"),
                Arguments.of(
                        "unknown shortcut",
                        mutate(root -> ((ObjectNode) root.get("model"))
                                .put("backbone", "resnet32")
                                .put("shortcut", "optionC")
                                .remove("hiddenUnits")),
                        400,
                        "model.shortcut"),
                Arguments.of("dataset as string", with("dataset", "mnist"), 400, "dataset"),
                Arguments.of("unknown method", with("method.name", "ewc"), 400, "method.name"),
                Arguments.of("unknown dataset", with("dataset.name", "svhn"), 400, "dataset.name"),
                Arguments.of("unknown backbone", with("model.backbone", "vit"), 400, "model.backbone"),
                Arguments.of("unknown head", with("model.head", "softmax"), 400, "model.head"),
                Arguments.of("unknown selector", with("memory.selector", "kmeans"), 400, "memory.selector"),
                Arguments.of("unknown storage", with("memory.storage", "float64"), 400, "memory.storage"),
                Arguments.of("zero byte budget", bytesBudget(0), 400, "memory.bytes"),
                Arguments.of("negative byte budget", bytesBudget(-5), 400, "memory.bytes"),
                Arguments.of("byte budget over a TiB", bytesBudget(1L << 41), 400, "memory.bytes"),
                Arguments.of("byte budget as string", with("memory.bytes", "1MB"), 400, "memory.bytes"),
                Arguments.of("bytes beside perClass", with("memory.bytes", 100000), 400, "memory"),
                Arguments.of(
                        "unknown compression", compressionWith("jpeg", null, null), 400, "memory.compression.name"),
                Arguments.of(
                        "compression without a name",
                        mutate(root -> ((ObjectNode) root.get("memory"))
                                .putObject("compression")
                                .put("ratio", 4)),
                        400,
                        "memory.compression.name"),
                Arguments.of(
                        "compression as string", with("memory.compression", "cam"), 400, "memory.compression.name"),
                Arguments.of(
                        "compression on the MLP",
                        with("memory.compression", Map.of("name", "cam")),
                        400,
                        "memory.compression"),
                Arguments.of(
                        "compression with mnemonics",
                        mutate(root -> {
                            ((ObjectNode) root.get("model"))
                                    .put("backbone", "resnet32")
                                    .remove("hiddenUnits");
                            ObjectNode memory = (ObjectNode) root.get("memory");
                            memory.put("selector", "mnemonics");
                            memory.putObject("compression").put("name", "cim");
                        }),
                        400,
                        "memory.compression"),
                Arguments.of(
                        "unknown compression option",
                        compressionWith("cam", "mode", "bilevel"),
                        400,
                        "memory.compression.mode"),
                Arguments.of("ratio below one", compressionWith("cam", "ratio", 0.5), 400, "memory.compression.ratio"),
                Arguments.of("ratio too large", compressionWith("cim", "ratio", 1e6), 400, "memory.compression.ratio"),
                Arguments.of(
                        "stand-in with too many training images",
                        mutate(root -> ((ObjectNode) root.get("dataset"))
                                .put("name", "fashion-clutter")
                                .put("syntheticTrainPerClass", 7000)),
                        400,
                        "dataset.syntheticTrainPerClass"),
                Arguments.of(
                        "stand-in with an image size",
                        mutate(root -> ((ObjectNode) root.get("dataset"))
                                .put("name", "fashion-clutter")
                                .put("syntheticImageSize", 64)),
                        400,
                        "dataset.syntheticImageSize"),
                Arguments.of(
                        "threshold above one",
                        compressionWith("cam", "threshold", 1.01),
                        400,
                        "memory.compression.threshold"),
                Arguments.of(
                        "negative threshold",
                        compressionWith("cim", "threshold", -0.1),
                        400,
                        "memory.compression.threshold"),
                Arguments.of(
                        "threshold as string",
                        compressionWith("cam", "threshold", "high"),
                        400,
                        "memory.compression.threshold"),
                Arguments.of(
                        "unknown cim mode",
                        compressionWith("cim", "mode", "secondOrder"),
                        400,
                        "memory.compression.mode"),
                Arguments.of(
                        "zero meta batch",
                        compressionWith("cim", "metaBatchSize", 0),
                        400,
                        "memory.compression.metaBatchSize"),
                Arguments.of(
                        "negative meta iterations",
                        compressionWith("cim", "metaItersPerClass", -1),
                        400,
                        "memory.compression.metaItersPerClass"),
                Arguments.of(
                        "too many meta iterations",
                        compressionWith("cim", "metaItersPerClass", 1e9),
                        400,
                        "memory.compression.metaItersPerClass"),
                Arguments.of("zero lr ratio", compressionWith("cim", "lrRatio", 0), 400, "memory.compression.lrRatio"),
                Arguments.of(
                        "negative activation lr",
                        compressionWith("cim", "activationLr", -0.01),
                        400,
                        "memory.compression.activationLr"),
                Arguments.of(
                        "negative weight decay",
                        compressionWith("cim", "activationWeightDecay", -1),
                        400,
                        "memory.compression.activationWeightDecay"),
                Arguments.of(
                        "zero clip norm",
                        compressionWith("cim", "maxGradNorm", 0),
                        400,
                        "memory.compression.maxGradNorm"),
                Arguments.of(
                        "negative div coefficient",
                        compressionWith("cim", "divCoef", -0.2),
                        400,
                        "memory.compression.divCoef"),
                Arguments.of(
                        "negative reg coefficient",
                        compressionWith("cim", "regCoef", -0.1),
                        400,
                        "memory.compression.regCoef"),
                Arguments.of(
                        "zero regeneration interval",
                        compressionWith("cim", "regenerateEvery", 0),
                        400,
                        "memory.compression.regenerateEvery"),
                Arguments.of(
                        "zero regeneration fraction",
                        compressionWith("cim", "regenerateFraction", 0),
                        400,
                        "memory.compression.regenerateFraction"),
                Arguments.of(
                        "regeneration fraction above one",
                        compressionWith("cim", "regenerateFraction", 1.5),
                        400,
                        "memory.compression.regenerateFraction"),
                Arguments.of(
                        "negative meta iterations per phase",
                        compressionWith("cim", "metaItersPerPhase", -1),
                        400,
                        "memory.compression.metaItersPerPhase"),
                Arguments.of(
                        "probability step above one",
                        compressionWith("cim", "randomCompressionStep", 1.5),
                        400,
                        "memory.compression.randomCompressionStep"),
                Arguments.of(
                        "float storage of stored images", with("memory.storage", "float32"), 400, "memory.storage"),
                Arguments.of(
                        "mnemonics options for herding",
                        with("memory.mnemonics.mode", "bilevel"),
                        400,
                        "memory.mnemonics"),
                Arguments.of("unknown mnemonics mode", mnemonicsWith("mode", "unrolled"), 400, "memory.mnemonics.mode"),
                Arguments.of(
                        "inner steps in the code mode",
                        mutate(root -> {
                            ObjectNode memory = (ObjectNode) root.get("memory");
                            memory.put("selector", "mnemonics");
                            memory.putObject("mnemonics").put("mode", "code").put("innerSteps", 3);
                        }),
                        400,
                        "memory.mnemonics.innerSteps"),
                Arguments.of(
                        "unknown adjusted classes", mnemonicsWith("adjust", "old"), 400, "memory.mnemonics.adjust"),
                Arguments.of("negative inner lr", mnemonicsWith("innerLr", -0.1), 400, "memory.mnemonics.innerLr"),
                Arguments.of("zero outer lr", mnemonicsWith("outerLr", 0), 400, "memory.mnemonics.outerLr"),
                Arguments.of(
                        "negative inner steps", mnemonicsWith("innerSteps", -1), 400, "memory.mnemonics.innerSteps"),
                Arguments.of("zero mnemonics epochs", mnemonicsWith("epochs", 0), 400, "memory.mnemonics.epochs"),
                Arguments.of("zero logit scale", mnemonicsWith("logitScale", 0), 400, "memory.mnemonics.logitScale"),
                Arguments.of(
                        "displacement beyond the pixel range",
                        mnemonicsWith("maxChange", 300),
                        400,
                        "memory.mnemonics.maxChange"),
                Arguments.of(
                        "everything held out",
                        mnemonicsWith("heldOutFraction", 1.0),
                        400,
                        "memory.mnemonics.heldOutFraction"),
                Arguments.of(
                        "held-out data in the code mode",
                        mutate(root -> {
                            ObjectNode memory = (ObjectNode) root.get("memory");
                            memory.put("selector", "mnemonics");
                            memory.putObject("mnemonics").put("mode", "code").put("heldOutFraction", 0.2);
                        }),
                        400,
                        "memory.mnemonics.heldOutFraction"),
                Arguments.of("scaled kernels on an mlp", with("model.scaledKernels", true), 400, "model.scaledKernels"),
                Arguments.of(
                        "unknown mnemonics option", mnemonicsWith("innerLR", 0.1), 400, "memory.mnemonics.innerLR"),
                Arguments.of(
                        "unknown optimizer",
                        with("training.optimizer.name", "rmsprop"),
                        400,
                        "training.optimizer.name"),
                Arguments.of(
                        "unknown schedule",
                        with("training.schedule", java.util.Map.of("name", "step")),
                        400,
                        "training.schedule.name"),
                Arguments.of("unknown class order", with("protocol.classOrder", "random"), 400, "protocol.classOrder"),
                Arguments.of("zero batch", with("training.batchSize", 0), 400, "training.batchSize"),
                Arguments.of("negative batch", with("training.batchSize", -5), 400, "training.batchSize"),
                Arguments.of("huge batch", with("training.batchSize", 1_000_000), 400, "training.batchSize"),
                Arguments.of(
                        "batch beyond int range",
                        with("training.batchSize", 99_999_999_999L),
                        400,
                        "training.batchSize"),
                Arguments.of("huge iterations", with("training.iterations", 2_000_000_000), 400, "training.iterations"),
                Arguments.of(
                        "negative learning rate", with("training.optimizer.lr", -0.1), 400, "training.optimizer.lr"),
                Arguments.of("epochs and iterations", with("training.epochs", 5), 400, "training"),
                Arguments.of("neither epochs nor iterations", with("training.iterations", null), 400, "training"),
                Arguments.of("perClass and total", with("memory.total", 2000), 400, "memory"),
                Arguments.of("memory on a method without exemplars", with("method.name", "finetune"), 400, "memory"),
                Arguments.of("negative perClass", with("memory.perClass", -1), 400, "memory.perClass"),
                Arguments.of("huge memory", with("memory.perClass", 50_000_000), 400, "memory.perClass"),
                Arguments.of("zero increment", with("protocol.increment", 0), 400, "protocol.increment"),
                Arguments.of(
                        "increment not dividing classes", with("protocol.increment", 3), 400, "protocol.increment"),
                Arguments.of(
                        "more initial classes than data set",
                        with("protocol.initialClasses", 12),
                        400,
                        "protocol.initialClasses"),
                Arguments.of(
                        "seed1993 on 10 classes", with("protocol.classOrder", "seed1993"), 400, "protocol.classOrder"),
                Arguments.of(
                        "explicit order with duplicates",
                        mutate(root -> {
                            ((ObjectNode) root.get("protocol")).put("classOrder", "explicit");
                            ArrayNode list = ((ObjectNode) root.get("protocol")).putArray("classList");
                            List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 8).forEach(list::add);
                        }),
                        400,
                        "protocol.classList[9]"),
                Arguments.of(
                        "explicit order out of range",
                        mutate(root -> {
                            ((ObjectNode) root.get("protocol")).put("classOrder", "explicit");
                            ArrayNode list = ((ObjectNode) root.get("protocol")).putArray("classList");
                            List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 10).forEach(list::add);
                        }),
                        400,
                        "protocol.classList[9]"),
                Arguments.of(
                        "explicit order empty",
                        mutate(root -> {
                            ((ObjectNode) root.get("protocol")).put("classOrder", "explicit");
                            ((ObjectNode) root.get("protocol")).putArray("classList");
                        }),
                        400,
                        "protocol.classList"),
                Arguments.of(
                        "phases and increment",
                        with("protocol.phases", List.of(List.of(0, 1))),
                        400,
                        "protocol.phases"),
                Arguments.of("empty hidden units", with("model.hiddenUnits", List.of()), 400, "model.hiddenUnits"),
                Arguments.of(
                        "zero hidden units", with("model.hiddenUnits", List.of(400, 0)), 400, "model.hiddenUnits[1]"),
                Arguments.of("option foreign to method", with("method.margin", 0.5), 400, "method.margin"),
                Arguments.of(
                        "unknown aggregation",
                        with("model.aggregation", java.util.Map.of("name", "mixture")),
                        400,
                        "model.aggregation.name"),
                Arguments.of(
                        "aggregation without a name",
                        with("model.aggregation", java.util.Map.of("fusionLr", 1e-5)),
                        400,
                        "model.aggregation.name"),
                Arguments.of(
                        "unknown aggregation option",
                        with("model.aggregation", java.util.Map.of("name", "aanets", "fusionRate", 1)),
                        400,
                        "model.aggregation.fusionRate"),
                Arguments.of(
                        "negative fusion lr",
                        with("model.aggregation", java.util.Map.of("name", "aanets", "fusionLr", -1e-5)),
                        400,
                        "model.aggregation.fusionLr"),
                Arguments.of(
                        "fusion lr as string",
                        with("model.aggregation", java.util.Map.of("name", "aanets", "fusionLr", "1e-5")),
                        400,
                        "model.aggregation.fusionLr"),
                Arguments.of(
                        "unknown branch type",
                        with("model.aggregation", java.util.Map.of("name", "aanets", "stableBranch", "frozen")),
                        400,
                        "model.aggregation.stableBranch"),
                Arguments.of(
                        "unknown plastic branch type",
                        with("model.aggregation", java.util.Map.of("name", "aanets", "plasticBranch", "")),
                        400,
                        "model.aggregation.plasticBranch"),
                Arguments.of(
                        "aggregation on the mlp",
                        with("model.aggregation", java.util.Map.of("name", "aanets")),
                        400,
                        "model.aggregation"),
                Arguments.of(
                        "fusion lr above 1",
                        with("model.aggregation", java.util.Map.of("name", "aanets", "fusionLr", 2)),
                        400,
                        "model.aggregation.fusionLr"),
                Arguments.of(
                        "aggregation on a method without exemplars",
                        mutate(root -> {
                            ((ObjectNode) root.get("method")).put("name", "lwf");
                            root.remove("memory");
                            ((ObjectNode) root.get("model"))
                                    .set("aggregation", JSON.valueToTree(java.util.Map.of("name", "aanets")));
                        }),
                        400,
                        "model.aggregation"),
                Arguments.of(
                        "foster options on icarl",
                        mutate(root -> {
                            ((ObjectNode) root.get("method")).put("name", "icarl");
                            ((ObjectNode) root.get("method"))
                                    .putObject("foster")
                                    .put("beta1", 0.9);
                        }),
                        400,
                        "method.foster"),
                Arguments.of("foster beta1 of 1", fosterWith("beta1", 1.0), 400, "method.beta1"),
                Arguments.of(
                        "unknown finetune loss",
                        mutate(root -> {
                            ((ObjectNode) root.get("method"))
                                    .put("name", "finetune")
                                    .put("loss", "oldOnly");
                            root.remove("memory");
                        }),
                        400,
                        "method.loss"),
                Arguments.of(
                        "finetune's loss on replay",
                        mutate(root -> ((ObjectNode) root.get("method")).put("loss", "newOnly")),
                        400,
                        "method.loss"),
                Arguments.of(
                        "finetune options on replay",
                        mutate(root -> ((ObjectNode) root.get("method"))
                                .putObject("finetune")
                                .put("loss", "newOnly")),
                        400,
                        "method.finetune"),
                Arguments.of("foster negative beta2", fosterWith("beta2", -0.5), 400, "method.beta2"),
                Arguments.of("foster zero temperature", fosterWith("temperature", 0), 400, "method.temperature"),
                Arguments.of("foster negative lambdaOkd", fosterWith("lambdaOkd", -1), 400, "method.lambdaOkd"),
                Arguments.of(
                        "foster zero compression epochs",
                        fosterWith("compressionEpochs", 0),
                        400,
                        "method.compressionEpochs"),
                Arguments.of(
                        "foster huge compression epochs",
                        fosterWith("compressionEpochs", 2_000_000_000),
                        400,
                        "method.compressionEpochs"),
                Arguments.of(
                        "foster compression lr NaN-like",
                        fosterWith("compressionLr", -0.1),
                        400,
                        "method.compressionLr"),
                Arguments.of(
                        "foster compression lr as string",
                        fosterWith("compressionLr", "0.1"),
                        400,
                        "method.compressionLr"),
                Arguments.of("foster zero wa value", fosterWith("waValue", 0), 400, "method.waValue"),
                Arguments.of(
                        "foster teacher wa as string", fosterWith("isTeacherWa", "yes"), 400, "method.isTeacherWa"),
                Arguments.of("foster oofc az", fosterWith("oofc", "az"), 400, "method.oofc"),
                Arguments.of("foster unknown option", fosterWith("beta3", 0.9), 400, "method.beta3"),
                Arguments.of(
                        "foster with aanets",
                        mutate(root -> {
                            ((ObjectNode) root.get("method")).put("name", "foster");
                            ((ObjectNode) root.get("model"))
                                    .set("aggregation", JSON.valueToTree(java.util.Map.of("name", "aanets")));
                        }),
                        400,
                        "model.aggregation"),
                Arguments.of(
                        "abd with an exemplar memory",
                        mutate(root -> ((ObjectNode) root.get("method")).put("name", "abd")),
                        400,
                        "memory"),
                Arguments.of(
                        "abd with an empty memory object",
                        mutate(root -> {
                            ((ObjectNode) root.get("method")).put("name", "abd");
                            root.putObject("memory");
                        }),
                        400,
                        "memory"),
                Arguments.of("abd tau of zero", abdWith("tau", 0), 400, "method.tau"),
                Arguments.of("abd negative mu", abdWith("mu", -0.1), 400, "method.mu"),
                Arguments.of("abd zero iterations", abdWith("iterations", 0), 400, "method.iterations"),
                Arguments.of("abd absurd iterations", abdWith("iterations", 10_000_000), 400, "method.iterations"),
                Arguments.of("abd batch of one", abdWith("batchSize", 1), 400, "method.batchSize"),
                Arguments.of("abd lr above 1", abdWith("lr", 5), 400, "method.lr"),
                Arguments.of("abd lr as string", abdWith("lr", "0.001"), 400, "method.lr"),
                Arguments.of("abd negative BN weight", abdWith("bnWeight", -50), 400, "method.bnWeight"),
                Arguments.of("abd zero latent size", abdWith("latentDim", 0), 400, "method.latentDim"),
                Arguments.of("abd unknown option", abdWith("temperature", 2), 400, "method.temperature"),
                Arguments.of("abd unknown sample mode", abdWith("sampleMode", "batch"), 400, "method.sampleMode"),
                Arguments.of(
                        "abd unknown replay BatchNorm",
                        abdWith("replayBatchNorm", "mixed"),
                        400,
                        "method.replayBatchNorm"),
                Arguments.of(
                        "deepinversion options on abd",
                        mutate(root -> {
                            root.remove("memory");
                            ObjectNode method = (ObjectNode) root.get("method");
                            method.put("name", "abd");
                            method.putObject("deepinversion").put("iterations", 10);
                        }),
                        400,
                        "method.deepinversion"),
                Arguments.of(
                        "abd options on lwf-mc",
                        mutate(root -> {
                            root.remove("memory");
                            ObjectNode method = (ObjectNode) root.get("method");
                            method.put("name", "lwf-mc");
                            method.putObject("abd").put("iterations", 10);
                        }),
                        400,
                        "method.abd"),
                Arguments.of(
                        "path escaping the data roots",
                        mutate(root -> root.set(
                                "dataset",
                                JSON.valueToTree(java.util.Map.of("name", "imagefolder", "path", "../../etc")))),
                        400,
                        "dataset.path"),
                Arguments.of(
                        "absolute path",
                        mutate(root -> root.set(
                                "dataset",
                                JSON.valueToTree(java.util.Map.of("name", "imagefolder", "path", "/etc/passwd")))),
                        400,
                        "dataset.path"),
                Arguments.of("path on a built-in data set", with("dataset.path", "mnist"), 400, "dataset.path"),
                Arguments.of("negative seed", with("seed", -1), 400, "seed"),
                Arguments.of("unknown preset", with("preset", "cifar1000"), 400, "preset"),
                Arguments.of(
                        "multistep without milestones",
                        with("training.schedule", java.util.Map.of("name", "multistep")),
                        400,
                        "training.schedule.milestones"),
                Arguments.of(
                        "milestones beyond training",
                        with(
                                "training.schedule",
                                java.util.Map.of("name", "multistep", "milestones", List.of(1000, 3000))),
                        400,
                        "training.schedule.milestones[1]"));
    }

    @Test
    void aOneIterationMultistepRunIsToldWhatIsAllowed() throws Exception {
        String body = with("training.iterations", 1)
                .replace("\"optimizer\"", "\"schedule\":{\"name\":\"multistep\",\"milestones\":[1]},\"optimizer\"");
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn();
        assertProblem(result, 400);
        assertThat(result.getResponse().getContentAsString())
                .contains("training.schedule.milestones[0]", "constant schedule")
                .doesNotContain("between 1 and 1");
    }

    @Test
    void phaseZeroOverridesAreCheckedWhereTheyAreWritten() throws Exception {
        String body = with("training.iterations", 10)
                .replace(
                        "\"optimizer\"",
                        "\"base\":{\"epochs\":3,\"optimizer\":{\"name\":\"sgd\",\"lr\":-1},"
                                + "\"schedule\":{\"name\":\"multistep\",\"milestones\":[10]}},\"optimizer\"");
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn();
        assertProblem(result, 400);
        assertThat(result.getResponse().getContentAsString())
                .contains(
                        "training.base.epochs",
                        "applies only when training counts epochs",
                        "training.base.optimizer.lr",
                        "training.base.schedule.milestones[0]",
                        "between 1 and 9");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedSubmissionIsAProblemNamingTheField(String label, String body, int status, String field)
            throws Exception {
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn();
        assertProblem(result, status);
        if (field != null) {
            JsonNode problem = JSON.readTree(result.getResponse().getContentAsString());
            assertThat(problem.get("errors")).as(label).isNotNull();
            List<String> fields = problem.get("errors")
                    .valueStream()
                    .map(e -> e.get("field").asString())
                    .toList();
            assertThat(fields).as(label).contains(field);
            problem.get("errors")
                    .forEach(e -> assertThat(e.get("message").asString()).isNotBlank());
        }
        verify(queue, never()).enqueue(any(), org.mockito.ArgumentMatchers.anyInt());
    }

    @Test
    void validSubmissionIsCreatedAndQueued() throws Exception {
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(VALID))
                .andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(201);
        JsonNode body = JSON.readTree(result.getResponse().getContentAsString());
        assertThat(body.get("status").asString()).isEqualTo("QUEUED");
        assertThat(result.getResponse().getHeader("Location"))
                .isEqualTo("/api/v1/experiments/" + body.get("id").asString());
        UUID id = UUID.fromString(body.get("id").asString());
        verify(queue)
                .enqueue(
                        org.mockito.ArgumentMatchers.argThat(
                                experiment -> experiment.getId().equals(id)),
                        org.mockito.ArgumentMatchers.eq(0));
    }

    @Test
    void aggregationIsBoundWithItsDefaults() throws Exception {
        // fusionLr 0 is the control that keeps α at 0.5
        String body = mutate(root -> {
            ObjectNode model = (ObjectNode) root.get("model");
            model.put("backbone", "resnet8");
            model.remove("hiddenUnits");
            model.set("aggregation", JSON.valueToTree(java.util.Map.of("name", "aanets", "fusionLr", 0.0)));
        });
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(201);
        org.mockito.ArgumentCaptor<ExperimentSpec> spec = org.mockito.ArgumentCaptor.forClass(ExperimentSpec.class);
        verify(engine).plan(spec.capture());
        assertThat(spec.getValue().model().aggregation())
                .isEqualTo(new org.mnemos.engine.spec.AanetsSpec("aanets", null, null, 0.0, null));
    }

    @Test
    void fosterOptionsAreBoundAsGiven() throws Exception {
        String body = fosterWith("compressionEpochs", 7);
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(201);
        org.mockito.ArgumentCaptor<ExperimentSpec> spec = org.mockito.ArgumentCaptor.forClass(ExperimentSpec.class);
        verify(engine).plan(spec.capture());
        assertThat(spec.getValue().method())
                .isEqualTo(new org.mnemos.engine.spec.FosterSpec(
                        "foster", null, null, null, null, 7, null, null, null, null, null));
    }

    @Test
    void presetIsMergedUnderTheClientsFields() throws Exception {
        String body = "{\"preset\":\"split-mnist\",\"method\":{\"name\":\"replay\"},\"training\":{\"iterations\":5}}";
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(201);
        org.mockito.ArgumentCaptor<ExperimentSpec> spec = org.mockito.ArgumentCaptor.forClass(ExperimentSpec.class);
        verify(engine).plan(spec.capture());
        assertThat(spec.getValue().method().name()).isEqualTo("replay");
        assertThat(spec.getValue().training().iterations()).isEqualTo(5);
        assertThat(spec.getValue().training().batchSize()).isEqualTo(128);
        assertThat(spec.getValue().model().hiddenUnits()).containsExactly(400, 400);
    }

    @Test
    void engineSpecErrorsNameTheirField() throws Exception {
        when(engine.plan(any())).thenThrow(new SpecException("protocol.classList", "does not fit the data set"));
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(VALID))
                .andReturn();
        assertProblem(result, 400);
        assertThat(result.getResponse().getContentAsString())
                .contains("\"field\":\"protocol.classList\"")
                .contains("does not fit the data set")
                .contains("https://mnemos.dev/problems/invalid-spec");
    }

    @Test
    void dataPathEscapeFoundByTheEngineIsA400OnDatasetPath() throws Exception {
        when(engine.plan(any()))
                .thenThrow(new DataPathException("imagenet-subset/../../x resolves outside the data roots"));
        MvcResult result = mvc.perform(post("/api/v1/experiments")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(VALID))
                .andReturn();
        assertProblem(result, 400);
        assertThat(result.getResponse().getContentAsString()).contains("\"field\":\"dataset.path\"");
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        assertProblem(
                mvc.perform(post("/api/v1/experiments")
                                .contentType(MediaType.TEXT_PLAIN)
                                .content(VALID))
                        .andReturn(),
                415);
    }

    @Test
    void wrongMethodIs405() throws Exception {
        assertProblem(
                mvc.perform(put("/api/v1/experiments")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(VALID))
                        .andReturn(),
                405);
    }

    @Test
    void unknownIdIs404() throws Exception {
        when(experiments.findById(any())).thenReturn(Optional.empty());
        assertProblem(
                mvc.perform(get("/api/v1/experiments/" + UUID.randomUUID())).andReturn(), 404);
        assertProblem(
                mvc.perform(delete("/api/v1/experiments/" + UUID.randomUUID())).andReturn(), 404);
    }

    @Test
    void unparseableIdIs400() throws Exception {
        MvcResult result = mvc.perform(get("/api/v1/experiments/not-a-uuid")).andReturn();
        assertProblem(result, 400);
        assertThat(result.getResponse().getContentAsString()).contains("\"field\":\"id\"");
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        String huge = with("name", "x".repeat(70_000));
        assertProblem(
                mvc.perform(post("/api/v1/experiments")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(huge))
                        .andReturn(),
                413);
    }

    @Test
    void badListParametersAre400() throws Exception {
        assertProblem(
                mvc.perform(get("/api/v1/experiments").param("limit", "500")).andReturn(), 400);
        assertProblem(
                mvc.perform(get("/api/v1/experiments").param("status", "DONE")).andReturn(), 400);
        assertProblem(
                mvc.perform(get("/api/v1/experiments").param("cursor", "%%%")).andReturn(), 400);
    }

    @Test
    void unexpectedErrorsAreGeneric500WithoutInternals() throws Exception {
        when(experiments.findById(any()))
                .thenThrow(new IllegalStateException("connection to db.internal:5432 refused"));
        MvcResult result =
                mvc.perform(get("/api/v1/experiments/" + UUID.randomUUID())).andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(500);
        assertThat(result.getResponse().getContentType()).startsWith("application/problem+json");
        assertThat(result.getResponse().getContentAsString())
                .doesNotContain("db.internal")
                .doesNotContain("IllegalStateException");
    }

    @Test
    void tooManyActiveRunsIs429() throws Exception {
        when(experiments.countByOwnerAndStatusIn(any(), any())).thenReturn(8L);
        assertProblem(
                mvc.perform(post("/api/v1/experiments")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(VALID))
                        .andReturn(),
                429);
        verify(queue, never()).enqueue(any(), org.mockito.ArgumentMatchers.anyInt());
    }

    @Test
    void lifecycleCommandsInTheWrongStateAre409() throws Exception {
        Experiment succeeded = new Experiment(
                UUID.randomUUID(), "x", "{}", "{}", "{}", 0, "h", 1, null, null, "{}", java.time.Instant.now());
        succeeded.transition(ExperimentStatus.SUCCEEDED, java.time.Instant.now());
        Experiment running = new Experiment(
                UUID.randomUUID(), "y", "{}", "{}", "{}", 0, "h", 1, null, null, "{}", java.time.Instant.now());
        running.transition(ExperimentStatus.RUNNING, java.time.Instant.now());
        when(experiments.findById(succeeded.getId())).thenReturn(Optional.of(succeeded));
        when(experiments.findById(running.getId())).thenReturn(Optional.of(running));
        assertProblem(
                mvc.perform(post("/api/v1/experiments/" + succeeded.getId() + "/cancel"))
                        .andReturn(),
                409);
        assertProblem(
                mvc.perform(post("/api/v1/experiments/" + succeeded.getId() + "/resume"))
                        .andReturn(),
                409);
        assertProblem(
                mvc.perform(post("/api/v1/experiments/" + running.getId() + "/resume"))
                        .andReturn(),
                409);
        assertProblem(
                mvc.perform(delete("/api/v1/experiments/" + running.getId())).andReturn(), 409);
        verify(artifacts, never()).deleteAll(any());
    }

    static void assertProblem(MvcResult result, int status) throws Exception {
        assertThat(result.getResponse().getStatus())
                .as(result.getResponse().getContentAsString())
                .isEqualTo(status);
        assertThat(result.getResponse().getContentType()).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(result.getResponse().getContentAsString());
        assertThat(problem.get("type").asString()).startsWith("https://mnemos.dev/problems/");
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(result.getResponse().getContentAsString())
                .doesNotContain("at org.")
                .doesNotContain("Exception");
    }
}
