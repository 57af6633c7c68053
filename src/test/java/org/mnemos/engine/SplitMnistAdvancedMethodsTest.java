package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The distillation-based methods on real Split-MNIST: each trains end to end through five phases,
 * and each beats fine-tuning's final accuracy (the rehearsal ones by at least twice).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SplitMnistAdvancedMethodsTest {

    private final Map<String, LocalRun.Result> results = new LinkedHashMap<>();

    @BeforeAll
    void run() {
        for (String method : List.of("finetune", "lwf", "bic", "lucir", "podnet")) {
            results.put(method, SplitMnistRuns.of(method));
        }
        results.forEach((method, result) -> System.out.printf(
                "%-8s final %.3f  average incremental %.3f  %.1fs%n",
                method,
                result.summary().lastAccuracy(),
                result.summary().averageIncrementalAccuracy(),
                result.seconds()));
    }

    @Test
    void everyMethodLearnsTheFirstPhase() {
        results.forEach((method, result) ->
                assertThat(result.phases().get(0).accuracy()).as(method).isGreaterThan(0.95));
    }

    @Test
    void rehearsalMethodsEndWithAtLeastTwiceFinetunesAccuracy() {
        double finetune = results.get("finetune").summary().lastAccuracy();
        for (String method : List.of("bic", "lucir", "podnet")) {
            assertThat(results.get(method).summary().lastAccuracy()).as(method).isGreaterThanOrEqualTo(2 * finetune);
        }
    }

    @Test
    void distillationAloneStillBeatsFinetune() {
        assertThat(results.get("lwf").summary().lastAccuracy())
                .isGreaterThan(results.get("finetune").summary().lastAccuracy());
    }
}
