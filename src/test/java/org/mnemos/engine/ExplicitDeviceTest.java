package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.spec.BicSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.LucirSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.PodnetSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Every array lives on the device the run was given. DJL's default device (the GPU on a GPU
 * host) is pointed at a CUDA device this CPU-only libtorch cannot allocate on, so any array
 * created without an explicit device fails, here exactly as a run configured {@code device: cpu}
 * failed on a GPU host.
 */
class ExplicitDeviceTest {

    private static final Pattern DEFAULT_DEVICE_USE =
            Pattern.compile("newBaseManager\\(\\s*\\)|defaultDevice\\(\\)|Device\\.defaultIf");

    private static Field defaultDevice;
    private static Object previous;

    @BeforeAll
    static void pointTheDefaultDeviceAtAGpu() throws Exception {
        // DJL's system manager takes the default device once, when its class loads, and every manager made
        // without a device inherits it: load it on the real default first, or test classes that run later in
        // this JVM and make such managers (test code may) would land on the GPU; the source check below
        // keeps the engine from making them
        NDManager.newBaseManager().close();
        Engine engine = Engine.getInstance();
        defaultDevice = Engine.class.getDeclaredField("defaultDevice");
        defaultDevice.setAccessible(true);
        previous = defaultDevice.get(engine);
        defaultDevice.set(engine, Device.gpu(0));
        assertThat(engine.defaultDevice()).isEqualTo(Device.gpu(0));
    }

    @AfterAll
    static void restore() throws Exception {
        defaultDevice.set(Engine.getInstance(), previous);
    }

    @Test
    void noProductionCodeAsksForAManagerOrArrayOnTheDefaultDevice() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(ExplicitDeviceTest::defaultDeviceUses)
                    .toList();
        }
        assertThat(offenders)
                .as("managers without a device inherit DJL's default device, the GPU on a GPU host")
                .isEmpty();
    }

    private static Stream<String> defaultDeviceUses(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return java.util.stream.IntStream.range(0, lines.size())
                    .filter(i -> DEFAULT_DEVICE_USE.matcher(lines.get(i)).find())
                    .mapToObj(i -> file + ":" + (i + 1) + ": " + lines.get(i).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "replay, mlp, adam",
        "lwf, mlp, sgd",
        "bic, mlp, sgd",
        "lucir, mlp, sgd",
        "icarl, resnet32, sgd",
        "podnet, resnet32, sgd"
    })
    void aCpuRunNeverTouchesTheDefaultDevice(String method, String backbone, String optimizer, @TempDir Path dir) {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        MethodSpec options = switch (method) {
            case "bic" -> new BicSpec(method, null, null, 2);
            case "lucir" -> new LucirSpec(method, null, null, null, 1);
            case "podnet" -> new PodnetSpec(method, null, null, null, 2, 1);
            default -> MethodSpec.named(method);
        };
        boolean rehearses = !method.equals("finetune") && !method.equals("joint") && !method.equals("lwf");
        ExperimentSpec spec = new ExperimentSpec(
                "device-" + method,
                3L,
                null,
                new DatasetSpec("synthetic", null, null, 4, 24, 8, 16, backbone.equals("mlp") ? 1 : 3),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec(backbone, backbone.equals("mlp") ? List.of(16) : null, null),
                options,
                rehearses ? new MemorySpec("herding", 4, null) : null,
                new TrainingSpec(
                        1,
                        null,
                        8,
                        new OptimizerSpec(
                                optimizer,
                                optimizer.equals("adam") ? 1e-3 : 0.05,
                                optimizer.equals("adam") ? null : 0.9,
                                5e-4,
                                false,
                                null,
                                null),
                        new ScheduleSpec("constant", null, null),
                        !backbone.equals("mlp")));
        LocalRun.Result result = LocalRun.run(engine, spec, dir.resolve("run"), Device.cpu(), p -> {});
        assertThat(result.phases()).hasSize(2);
        assertThat(result.phases().get(1).accuracy()).isBetween(0.0, 1.0);
    }
}
