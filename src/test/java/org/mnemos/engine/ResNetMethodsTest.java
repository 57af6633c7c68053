package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
 * The CIFAR path end to end on small synthetic RGB 32×32 data: ResNet-32 with on-device crop+flip,
 * epochs with a multistep schedule, each method's head (linear, cosine, LSC, BiC layer).
 */
class ResNetMethodsTest {

    /** Short calibration stages so the test stays quick. */
    private static MethodSpec options(String method) {
        return switch (method) {
            case "bic" -> new BicSpec(method, null, null, 3);
            case "lucir" -> new LucirSpec(method, null, null, null, 1);
            case "podnet" -> new PodnetSpec(method, null, null, null, 2, 1);
            default -> MethodSpec.named(method);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"icarl", "bic", "lucir", "podnet"})
    void trainsTwoPhasesOfResNet32WithAugmentation(String method, @TempDir Path dir) {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        ExperimentSpec spec = new ExperimentSpec(
                "resnet-" + method,
                1L,
                null,
                new DatasetSpec("synthetic", null, null, 4, 40, 10, 32, 3),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("resnet32", null, null),
                options(method),
                new MemorySpec("herding", 8, null),
                new TrainingSpec(
                        2,
                        null,
                        16,
                        new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null),
                        new ScheduleSpec("multistep", List.of(1), 0.1),
                        true));
        LocalRun.Result result = LocalRun.run(engine, spec, dir.resolve("run"), Device.cpu(), p -> {});
        assertThat(result.plan().spec().training().augment()).isTrue();
        assertThat(result.phases()).hasSize(2);
        var last = result.phases().get(1);
        assertThat(last.exemplarCount()).isEqualTo(4 * 8);
        assertThat(last.memoryBytes()).isEqualTo(4L * 8 * 32 * 32 * 3);
        assertThat(last.accuracyRow()).hasSize(2);
        assertThat(last.accuracy()).isBetween(0.0, 1.0);
        assertThat(Double.isNaN(last.cnnAccuracy())).isFalse();
    }
}
