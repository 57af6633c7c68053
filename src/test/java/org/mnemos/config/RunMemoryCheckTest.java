package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.DataPaths;
import org.mnemos.engine.Datasets;
import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.model.Generator;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.experiment.SpecReader;
import org.mnemos.web.FieldProblem;
import org.mnemos.worker.WorkerProperties;
import org.springframework.util.unit.DataSize;

/**
 * The submit-time memory estimate against the budget. The issue's case, ResNet-18 on 64x64 images
 * with the maximum batch of 4096, took the JVM past 5.8 GB before the OOM killer ended it.
 */
class RunMemoryCheckTest {

    private static final Datasets DATASETS = new Datasets(new DataPaths(List.of(Path.of("target", "no-data"))), false);

    private static ExperimentSpec resnet18On64(int batchSize, int trainPerClass) {
        return SpecReader.json().readValue("""
                {"dataset":{"name":"synthetic","syntheticImageSize":64,"syntheticChannels":3,"syntheticTrainPerClass":%d},
                 "protocol":{"initialClasses":4,"increment":3},"model":{"backbone":"resnet18"},"method":{"name":"icarl"},
                 "memory":{"perClass":20},"training":{"epochs":1,"batchSize":%d,"optimizer":{"name":"sgd","lr":0.1,"momentum":0.9}}}""".formatted(trainPerClass, batchSize), ExperimentSpec.class);
    }

    private static RunMemoryCheck check(String device, DataSize budget) {
        return new RunMemoryCheck(DATASETS, new WorkerProperties(true, 1, device, 10, 6, 3, 2, 10, null, budget));
    }

    @Test
    void theIssuesBatchOf4096IsRefusedNamingTheBatchSizeAndTheEstimate() {
        FieldProblem problem = check("cpu", DataSize.ofGigabytes(16))
                .check(resnet18On64(4096, 500))
                .orElseThrow();
        assertThat(problem.field()).isEqualTo("training.batchSize");
        assertThat(problem.message())
                .matches(
                        "the run would need about \\d+\\.\\d\\d GiB at its peak \\(parameters and optimiser state .*, activations .*,"
                                + " data set .*, runtime .*\\), more than the memory budget of 16\\.00 GiB \\(mnemos\\.worker\\.memory-budget\\);"
                                + " lower training\\.batchSize")
                .doesNotContain("/");
    }

    @Test
    void aBatchThatFitsIsAccepted() {
        assertThat(check("cpu", DataSize.ofGigabytes(16)).check(resnet18On64(64, 500)))
                .isEmpty();
    }

    @Test
    void aDataSetThatDoesNotFitNamesTheDataSet() {
        FieldProblem problem = check("cpu", DataSize.ofGigabytes(2))
                .check(resnet18On64(8, 10_000))
                .orElseThrow();
        assertThat(problem.field()).isEqualTo("dataset");
        assertThat(problem.message()).endsWith("use a smaller data set or image size");
    }

    @Test
    void anMlpWhoseLayersDoNotFitNamesItsHiddenUnits() {
        ExperimentSpec wide = SpecReader.json().readValue("""
                {"dataset":{"name":"mnist"},"protocol":{"initialClasses":2,"increment":2},
                 "model":{"backbone":"mlp","hiddenUnits":[65536,65536]},"method":{"name":"finetune"},
                 "training":{"iterations":1,"batchSize":16,"optimizer":{"name":"adam","lr":0.001}}}""", ExperimentSpec.class);
        FieldProblem problem =
                check("cpu", DataSize.ofGigabytes(16)).check(wide).orElseThrow();
        assertThat(problem.field()).isEqualTo("model.hiddenUnits");
    }

    private static ExperimentSpec onMnistSized(String method, String options) {
        return SpecReader.json().readValue("""
                {"dataset":{"name":"synthetic","syntheticImageSize":28,"syntheticChannels":1,"syntheticTrainPerClass":50},
                 "protocol":{"initialClasses":2,"increment":2},"model":{"backbone":"resnet8"},"method":{"name":"%s"%s},
                 "training":{"iterations":1,"batchSize":64,"optimizer":{"name":"adam","lr":0.001}}}""".formatted(method, options), ExperimentSpec.class);
    }

    private static PeakMemory.Estimate estimate(ExperimentSpec spec) {
        return DATASETS.estimatePeak(spec, false);
    }

    @Test
    void abdCountsItsGeneratorWithAdamStateAndTheDoubledBatch() {
        PeakMemory.Estimate lwf = estimate(onMnistSized("lwf", ""));
        PeakMemory.Estimate abd = estimate(onMnistSized("abd", ""));
        // 1000-d latent code → 128×7×7: about 6.5 M parameters, with gradients and two Adam moments
        long generator = Generator.parameterCount(1, 28, 1000);
        assertThat(generator).isBetween(6_400_000L, 6_600_000L);
        assertThat(abd.parameterBytes() - lwf.parameterBytes()).isEqualTo(generator * 4 * 4);
        // real images and as many dreams through both networks, and the generator's sampling pass
        assertThat(abd.activationBytes()).isGreaterThan(2 * lwf.activationBytes());
        assertThat(abd.dataBytes()).isEqualTo(lwf.dataBytes());
    }

    @Test
    void anInversionBatchThatDoesNotFitNamesTheMethodsBatchSize() {
        FieldProblem problem = check("cpu", DataSize.ofGigabytes(16))
                .check(onMnistSized("abd", ",\"batchSize\":20000"))
                .orElseThrow();
        assertThat(problem.field()).isEqualTo("method.batchSize");
        assertThat(problem.message()).endsWith("lower method.batchSize");
        assertThat(check("cpu", DataSize.ofGigabytes(16)).check(onMnistSized("abd", ",\"batchSize\":128")))
                .isEmpty();
    }

    @Test
    void aanetsCountsItsSecondBranch() {
        PeakMemory.Estimate single = estimate(onMnistSized("icarl", ""));
        ExperimentSpec aggregated = SpecReader.json().readValue("""
                {"dataset":{"name":"synthetic","syntheticImageSize":28,"syntheticChannels":1,"syntheticTrainPerClass":50},
                 "protocol":{"initialClasses":2,"increment":2},"model":{"backbone":"resnet8","aggregation":{"name":"aanets"}},
                 "method":{"name":"icarl"},"training":{"iterations":1,"batchSize":64,"optimizer":{"name":"adam","lr":0.001}}}""", ExperimentSpec.class);
        PeakMemory.Estimate both = estimate(aggregated);
        // two branches per level: twice the weights (with gradients, Adam moments and the previous model's copy)
        // and twice the network's activations of a step (the input copies stay single)
        assertThat(both.parameterBytes()).isEqualTo(2 * single.parameterBytes());
        assertThat(both.activationBytes()).isBetween(single.activationBytes() * 3 / 2, 2 * single.activationBytes());
        assertThat(both.dataBytes()).isEqualTo(single.dataBytes());
    }

    private static ExperimentSpec icarlWithCim(int metaBatchSize) {
        return SpecReader.json().readValue("""
                {"dataset":{"name":"synthetic","syntheticImageSize":32,"syntheticChannels":3,"syntheticTrainPerClass":50},
                 "protocol":{"initialClasses":2,"increment":2},"model":{"backbone":"resnet32"},"method":{"name":"icarl"},
                 "memory":{"bytes":100000,"compression":{"name":"cim","metaBatchSize":%d}},
                 "training":{"iterations":1,"batchSize":16,"optimizer":{"name":"sgd","lr":0.1}}}""".formatted(metaBatchSize), ExperimentSpec.class);
    }

    @Test
    void cimCountsItsSecondOrderMetaIterationWhenItPeaksAboveTheTrainingStep() {
        PeakMemory.Estimate small = estimate(icarlWithCim(4));
        PeakMemory.Estimate large = estimate(icarlWithCim(512));
        // at meta batch 4 the mask model's CAM pass (256 images) peaks highest; at 512 the meta-iteration does
        assertThat(small.field()).isEqualTo("memory.compression");
        assertThat(large.activationBytes()).isGreaterThan(2 * small.activationBytes());
        assertThat(large.field()).isEqualTo("memory.compression.metaBatchSize");
        assertThat(large.parameterBytes()).isEqualTo(small.parameterBytes());
        FieldProblem problem =
                check("cpu", DataSize.ofGigabytes(8)).check(icarlWithCim(512)).orElseThrow();
        assertThat(problem.field()).isEqualTo("memory.compression.metaBatchSize");
        assertThat(check("cpu", DataSize.ofGigabytes(8)).check(icarlWithCim(16)))
                .isEmpty();
    }

    @Test
    void aGpuDeviceWithoutAGpuInSightNeedsAnExplicitBudget() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ai.djl.util.cuda.CudaUtils.getGpuCount() == 0, "this machine has a GPU");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> check("gpu", null))
                .hasMessageContaining("set mnemos.worker.memory-budget");
        assertThat(check("gpu", DataSize.ofGigabytes(80)).budget().onGpu()).isTrue();
    }

    @Test
    void withoutAConfiguredBudgetACpuWorkerHasTheHostsRam() {
        RunMemoryCheck.Budget budget = check("cpu", null).budget();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        assertThat(budget.bytes()).isEqualTo(os.getTotalMemorySize());
        assertThat(budget.source()).isEqualTo("host RAM");
        assertThat(budget.onGpu()).isFalse();
    }

    /** A check against these pools (name, GiB); the process's own budget would take any run (1 TiB). */
    private static RunMemoryCheck withPools(Object... namesAndGib) {
        java.util.Map<String, org.mnemos.worker.WorkerPools.Pool> known = new java.util.TreeMap<>();
        for (int i = 0; i < namesAndGib.length; i += 2) {
            String name = (String) namesAndGib[i];
            known.put(
                    name,
                    new org.mnemos.worker.WorkerPools.Pool(
                            name,
                            DataSize.ofGigabytes((Integer) namesAndGib[i + 1]).toBytes(),
                            false,
                            "registered by worker w-" + name));
        }
        org.mnemos.worker.WorkerPools pools = org.mockito.Mockito.mock(org.mnemos.worker.WorkerPools.class);
        org.mockito.Mockito.when(pools.known()).thenReturn(known);
        return new RunMemoryCheck(
                DATASETS, new WorkerProperties(true, 1, "cpu", 10, 6, 3, 2, 10, null, DataSize.ofTerabytes(1)), pools);
    }

    private static ExperimentSpec inPool(ExperimentSpec spec, String pool) {
        return new ExperimentSpec(
                spec.name(),
                spec.seed(),
                spec.preset(),
                spec.dataset(),
                spec.protocol(),
                spec.model(),
                spec.method(),
                spec.memory(),
                spec.training(),
                new org.mnemos.engine.spec.ResourcesSpec(pool, null));
    }

    @Test
    void aRunThatFitsEveryPoolGoesToAnyAndOneThatFitsSomeToTheSmallestOfThem() {
        int needs = (int) Math.ceil(estimate(resnet18On64(512, 500)).totalBytes() / (double) (1L << 30));
        assertThat(needs).as("the run's estimate in GiB").isGreaterThan(2);
        RunMemoryCheck check = withPools("cpu", 1, "gpu-small", needs, "gpu-large", 4 * needs);

        assertThat(withPools("gpu-small", needs, "gpu-large", 4 * needs).route(resnet18On64(512, 500)))
                .isEqualTo(new RunMemoryCheck.Routing(null, null));
        assertThat(check.route(resnet18On64(512, 500))).isEqualTo(new RunMemoryCheck.Routing("gpu-small", null));
        assertThat(check.pinnedPool(resnet18On64(512, 500))).contains("gpu-small");
        assertThat(check.route(inPool(resnet18On64(512, 500), "gpu-large")))
                .isEqualTo(new RunMemoryCheck.Routing("gpu-large", null));
    }

    @Test
    void aRunThatFitsNoPoolIsRefusedNamingTheLargestBudget() {
        FieldProblem problem =
                withPools("cpu", 1, "gpu", 16).check(resnet18On64(4096, 500)).orElseThrow();
        assertThat(problem.field()).isEqualTo("training.batchSize");
        assertThat(problem.message())
                .contains("more than the memory budget of 16.00 GiB (the largest of the pools [cpu, gpu]:"
                        + " pool 'gpu', registered by worker w-gpu); lower training.batchSize");
    }

    @Test
    void aRunThatNamesAPoolIsCheckedAgainstThatPoolsBudgetOnly() {
        FieldProblem problem = withPools("cpu", 1, "gpu", 1000)
                .check(inPool(resnet18On64(512, 500), "cpu"))
                .orElseThrow();
        assertThat(problem.field()).isEqualTo("training.batchSize");
        assertThat(problem.message())
                .contains("more than the memory budget of 1.00 GiB (pool 'cpu', registered by worker w-cpu)");
    }

    @Test
    void anUnknownPoolIsRefusedNamingResourcesPoolAndTheKnownPools() {
        FieldProblem problem = withPools("cpu", 1, "gpu", 80)
                .check(inPool(resnet18On64(64, 500), "tpu"))
                .orElseThrow();
        assertThat(problem)
                .isEqualTo(new FieldProblem("resources.pool", "unknown pool 'tpu'; known pools: [cpu, gpu]"));
        FieldProblem none =
                withPools().check(inPool(resnet18On64(64, 500), "tpu")).orElseThrow();
        assertThat(none.field()).isEqualTo("resources.pool");
        assertThat(none.message()).contains("no pool is known yet: start a worker with mnemos.worker.pool=tpu");
    }

    @Test
    void withoutKnownPoolsTheProcesssOwnBudgetDecidesAndTheRunMayGoAnywhere() {
        assertThat(withPools().route(resnet18On64(512, 500))).isEqualTo(new RunMemoryCheck.Routing(null, null));
        assertThat(check("cpu", DataSize.ofGigabytes(1)).check(resnet18On64(512, 500)))
                .isPresent();
    }
}
