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
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.model.interop.Dtype;
import org.mnemos.engine.model.interop.SafeTensors;
import org.mnemos.engine.model.interop.SafeTensorsException;
import org.mnemos.engine.model.interop.Tensor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The exported key set and shapes against {@code reference/pycil_state_dict.json}, written by
 * {@code generate_pycil_state_dict.py} from networks named as PyCIL names them.
 */
class PyCilStateDictTest {

    @TempDir
    Path dir;

    private record Config(
            Supplier<Backbone> backbone,
            HeadType head,
            int proxies,
            boolean bic,
            Shape input,
            List<Integer> segments) {}

    private static final Shape CIFAR = new Shape(1, 3, 32, 32);

    private static final Map<String, Config> CONFIGS = Map.of(
            "resnet32_linear_cifar",
                    new Config(() -> CifarResNet.builder().build(), HeadType.LINEAR, 1, false, CIFAR, List.of(10, 10)),
            "resnet32_linear_mnist",
                    new Config(
                            () -> CifarResNet.builder().build(),
                            HeadType.LINEAR,
                            1,
                            false,
                            new Shape(1, 1, 28, 28),
                            List.of(2, 2)),
            "resnet32_cosine_one_task",
                    new Config(() -> cosineResNet32(), HeadType.COSINE, 1, false, CIFAR, List.of(10)),
            "resnet32_cosine_three_tasks",
                    new Config(() -> cosineResNet32(), HeadType.COSINE, 1, false, CIFAR, List.of(10, 10, 10)),
            "resnet32_lsc_two_tasks",
                    new Config(() -> cosineResNet32(), HeadType.LSC, 10, false, CIFAR, List.of(10, 10)),
            "resnet32_bic_two_tasks",
                    new Config(() -> CifarResNet.builder().build(), HeadType.LINEAR, 1, true, CIFAR, List.of(10, 10)),
            "resnet18_linear_cifar",
                    new Config(
                            () -> ResNet18.builder().optSmallInput(true).build(),
                            HeadType.LINEAR,
                            1,
                            false,
                            CIFAR,
                            List.of(10, 10)));

    private static Backbone cosineResNet32() {
        return CifarResNet.builder()
                .optProjectionShortcut(true)
                .optLastRelu(false)
                .build();
    }

    private static IncrementalNet build(Config config, NDManager manager, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        return IncrementalNet.rebuild(
                IncrementalNet.builder()
                        .setBackbone(config.backbone().get())
                        .optHead(config.head())
                        .optProxiesPerClass(config.proxies())
                        .optBiasCorrection(config.bic()),
                config.input(),
                config.segments(),
                manager);
    }

    private static Map<String, List<Long>> fixture(String name) throws IOException {
        try (InputStream in = PyCilStateDictTest.class.getResourceAsStream("/reference/pycil_state_dict.json")) {
            JsonNode config = JsonMapper.builder().build().readTree(in).get(name);
            Map<String, List<Long>> layout = new LinkedHashMap<>();
            for (JsonNode entry : config) {
                List<Long> shape = new ArrayList<>();
                entry.get(1).forEach(d -> shape.add(d.asLong()));
                layout.put(entry.get(0).asString(), shape);
            }
            return layout;
        }
    }

    private static Map<String, List<Long>> exported(List<Tensor> tensors) {
        Map<String, List<Long>> layout = new LinkedHashMap<>();
        for (Tensor tensor : tensors) {
            layout.put(tensor.name(), Arrays.stream(tensor.shape()).boxed().toList());
        }
        return layout;
    }

    @Test
    void exportedNamesAndShapesEqualPyCilsStateDict() throws IOException {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (var config : CONFIGS.entrySet()) {
                IncrementalNet net = build(config.getValue(), manager, 1);
                List<Tensor> tensors = PyCilStateDict.export(net);
                assertThat(exported(tensors)).as(config.getKey()).isEqualTo(fixture(config.getKey()));
                for (Tensor tensor : tensors) {
                    assertThat(tensor.dtype())
                            .as(tensor.name())
                            .isEqualTo(tensor.name().endsWith("num_batches_tracked") ? Dtype.I64 : Dtype.F32);
                }
            }
        }
    }

    @Test
    void theFixtureCoversEveryConfigurationTested() throws IOException {
        try (InputStream in = PyCilStateDictTest.class.getResourceAsStream("/reference/pycil_state_dict.json")) {
            List<String> names = new ArrayList<>();
            JsonMapper.builder().build().readTree(in).propertyNames().forEach(names::add);
            assertThat(names).containsExactlyInAnyOrderElementsOf(CONFIGS.keySet());
        }
    }

    @Test
    void aLoadedExportComputesTheSameLogits() throws IOException {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (String name :
                    List.of("resnet32_cosine_three_tasks", "resnet32_bic_two_tasks", "resnet32_lsc_two_tasks")) {
                Config config = CONFIGS.get(name);
                IncrementalNet source = build(config, manager, 1);
                perturbBatchNormStatistics(source, manager);
                IncrementalNet target = build(config, manager, 2);
                Path file = dir.resolve(name + ".safetensors");
                SafeTensors.write(file, PyCilStateDict.export(source), Map.of());
                PyCilStateDict.load(target, SafeTensors.read(file));
                Engine.getInstance().setRandomSeed(5);
                Shape batch = new Shape(
                        3,
                        config.input().get(1),
                        config.input().get(2),
                        config.input().get(3));
                NDArray x = manager.randomNormal(0, 1, batch, DataType.FLOAT32, Device.cpu());
                float[] expected = logits(source, manager, x);
                float[] actual = logits(target, manager, x);
                assertThat(actual).as(name).containsExactly(expected);
            }
        }
    }

    /** Moves the running statistics away from their initial values, so that loading them is observable. */
    private static void perturbBatchNormStatistics(IncrementalNet net, NDManager manager) {
        for (var parameter : net.getParameters().values()) {
            if (parameter.getType() == ai.djl.nn.Parameter.Type.RUNNING_MEAN
                    || parameter.getType() == ai.djl.nn.Parameter.Type.RUNNING_VAR) {
                NDArray array = parameter.getArray();
                array.set(manager.randomUniform(0.5f, 1.5f, array.getShape(), DataType.FLOAT32, Device.cpu())
                        .toFloatArray());
            }
        }
    }

    private static float[] logits(IncrementalNet net, NDManager manager, NDArray x) {
        try (NDManager batch = manager.newSubManager()) {
            return net.forward(new ParameterStore(batch, false), new NDList(x), false)
                    .head()
                    .toFloatArray();
        }
    }

    @Test
    void theMlpIsNamedPlainly() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = IncrementalNet.rebuild(
                    IncrementalNet.builder()
                            .setBackbone(Mlp.builder()
                                    .setInputSize(784)
                                    .optHiddenUnits(List.of(32, 16))
                                    .build()),
                    new Shape(1, 1, 28, 28),
                    List.of(2, 2),
                    manager);
            assertThat(exported(PyCilStateDict.export(net)))
                    .isEqualTo(Map.of(
                            "convnet.hidden.0.weight",
                            List.of(32L, 784L),
                            "convnet.hidden.0.bias",
                            List.of(32L),
                            "convnet.hidden.1.weight",
                            List.of(16L, 32L),
                            "convnet.hidden.1.bias",
                            List.of(16L),
                            "fc.weight",
                            List.of(4L, 16L),
                            "fc.bias",
                            List.of(4L)));
        }
    }

    @Test
    void aggregatedBackbonesAreRefusedByName() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Backbone aggregated = AggregatedBackbone.builder()
                    .setBase(CifarResNet.builder().optBlocksPerStage(1).build())
                    .build();
            IncrementalNet net = IncrementalNet.rebuild(
                    IncrementalNet.builder().setBackbone(aggregated), CIFAR, List.of(2), manager);
            assertThatThrownBy(() -> PyCilStateDict.export(net))
                    .isInstanceOf(PyCilStateDict.UnsupportedNetworkException.class)
                    .hasMessageContaining("AggregatedBackbone");
        }
    }

    @Test
    void tensorsThatDoNotFitAreNamed() throws IOException {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = build(CONFIGS.get("resnet32_linear_mnist"), manager, 1);
            List<Tensor> good = PyCilStateDict.export(net);
            assertRefused(
                    net,
                    replace(good, "fc.weight", Tensor.float32("fc.weight", new long[] {5, 64}, new float[320])),
                    "fc.weight",
                    "has shape [5, 64]; this network needs [4, 64]");
            assertRefused(
                    net,
                    replace(
                            good,
                            "convnet.bn_1.running_var",
                            new Tensor("convnet.bn_1.running_var", Dtype.F64, new long[] {16}, new byte[128])),
                    "convnet.bn_1.running_var",
                    "is F64");
            List<Tensor> renamed = replace(
                    good,
                    "convnet.stage_2.0.conv_a.weight",
                    rename(find(good, "convnet.stage_2.0.conv_a.weight"), "convnet.layer2.0.conv1.weight"));
            assertRefused(net, renamed, "convnet.layer2.0.conv1.weight", "is not a tensor of this network");
            List<Tensor> missing = new ArrayList<>(good);
            missing.removeIf(t -> t.name().equals("convnet.stage_3.4.bn_b.weight"));
            assertRefused(net, missing, "convnet.stage_3.4.bn_b.weight", "is missing");
            float[] nan = find(good, "fc.bias").floats();
            nan[1] = Float.NaN;
            assertRefused(
                    net,
                    replace(good, "fc.bias", Tensor.float32("fc.bias", new long[] {4}, nan)),
                    "fc.bias",
                    "non-finite");
            // what the network does not use may be absent: PyTorch users drop convnet.fc and the counters
            List<Tensor> lean = new ArrayList<>(good);
            lean.removeIf(t -> t.name().startsWith("convnet.fc.") || t.name().endsWith("num_batches_tracked"));
            Path file = dir.resolve("lean.safetensors");
            SafeTensors.write(file, lean, Map.of());
            PyCilStateDict.load(net, SafeTensors.read(file));
        }
    }

    private void assertRefused(IncrementalNet net, List<Tensor> tensors, String tensor, String message)
            throws IOException {
        Path file = Files.createTempFile(dir, "bad", ".safetensors");
        SafeTensors.write(file, tensors, Map.of());
        float[] before = net.segmentWeight(0).toFloatArray();
        assertThatThrownBy(() -> PyCilStateDict.load(net, SafeTensors.read(file)))
                .isInstanceOf(SafeTensorsException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((SafeTensorsException) e).tensor()).isEqualTo(tensor));
        assertThat(net.segmentWeight(0).toFloatArray())
                .as("unchanged after a refusal")
                .containsExactly(before);
    }

    private static Tensor find(List<Tensor> tensors, String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static Tensor rename(Tensor tensor, String name) {
        return new Tensor(name, tensor.dtype(), tensor.shape(), tensor.data());
    }

    private static List<Tensor> replace(List<Tensor> tensors, String name, Tensor replacement) {
        List<Tensor> result = new ArrayList<>(tensors);
        result.replaceAll(t -> t.name().equals(name) ? replacement : t);
        return result;
    }
}
