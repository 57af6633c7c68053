package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Class-incremental Split-MNIST (5 phases of 2 digits) on the real MNIST files: rehearsal keeps old
 * digits, fine-tuning forgets them, joint training bounds everyone from above.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SplitMnistBehaviourTest {

    private static final int ITERATIONS = 400;
    private final Map<String, LocalRun.Result> results = new LinkedHashMap<>();

    @BeforeAll
    void runAllBaselines() {
        for (String method : List.of("finetune", "replay", "icarl", "joint")) {
            results.put(method, SplitMnistRuns.of(method));
        }
        results.forEach((method, result) -> System.out.printf(
                "%-8s final %.3f  average incremental %.3f  %.1fs%n",
                method,
                result.summary().lastAccuracy(),
                result.summary().averageIncrementalAccuracy(),
                result.seconds()));
    }

    static ExperimentSpec spec(String method) {
        return new ExperimentSpec(
                "split-mnist-" + method,
                0L,
                null,
                DatasetSpec.named("mnist"),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", List.of(400, 400), "linear"),
                MethodSpec.named(method),
                new MemorySpec("herding", 100, null),
                new TrainingSpec(
                        null,
                        ITERATIONS,
                        128,
                        new OptimizerSpec("adam", 1e-3, null, null, null, null, null),
                        null,
                        false));
    }

    @Test
    void rehearsalEndsWithAtLeastTwiceFinetunesAccuracy() {
        double finetune = results.get("finetune").summary().lastAccuracy();
        assertThat(results.get("replay").summary().lastAccuracy()).isGreaterThanOrEqualTo(2 * finetune);
        assertThat(results.get("icarl").summary().lastAccuracy()).isGreaterThanOrEqualTo(2 * finetune);
    }

    @Test
    void finetuneForgetsTheOldDigits() {
        var last = results.get("finetune").phases().get(4);
        assertThat(last.oldAccuracy()).isLessThan(0.2);
        assertThat(last.newAccuracy()).isGreaterThan(0.9);
    }

    @Test
    void icarlKeepsOldClassAccuracyFarAboveFinetune() {
        double icarlOld = results.get("icarl").phases().get(4).oldAccuracy();
        double finetuneOld = results.get("finetune").phases().get(4).oldAccuracy();
        assertThat(icarlOld).isGreaterThan(finetuneOld + 0.5);
        assertThat(results.get("icarl").phases().get(4).classifier()).isEqualTo("nme");
    }

    @Test
    void jointBeatsEveryIncrementalMethod() {
        double joint = results.get("joint").summary().lastAccuracy();
        results.forEach((method, result) -> {
            if (!method.equals("joint")) {
                assertThat(joint)
                        .as("joint vs " + method)
                        .isGreaterThan(result.summary().lastAccuracy());
            }
        });
        assertThat(joint).isGreaterThan(0.95);
    }

    @Test
    void memoryHoldsTheBudgetPerSeenClassAsRealImages() {
        var last = results.get("replay").phases().get(4);
        assertThat(last.exemplarCount()).isEqualTo(10 * 100);
        assertThat(last.memoryBytes()).isEqualTo(10L * 100 * 28 * 28);
        assertThat(last.accuracyRow()).hasSize(5);
    }
}
