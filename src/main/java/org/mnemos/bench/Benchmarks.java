package org.mnemos.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * The benchmark harness ({@code bench/run.sh}): engine throughput, then the Split-MNIST and
 * Split-Fashion-MNIST class-incremental tables for every baseline under one protocol (MLP
 * 784-400-400, 5 phases of 2 classes, 2000 iterations per phase, batch 128, Adam 1e-3, herding 100
 * per class). Prints Markdown.
 *
 * <p>Arguments: any of {@code throughput}, {@code mnist}, {@code fashion-mnist} (default all),
 * {@code mnemonics} and {@code aanets} (see {@link AanetsBench}: {@code --arms single,learned,fixed},
 * {@code --fusion-lr X} for the learned arm, default derived, {@code --max-minutes M}; a smoke run with
 * {@code --epochs E} and/or {@code --train-per-class N --test-per-class M}), the last two only
 * when named; and {@code --iterations N}, {@code --methods a,b}, {@code --data DIR},
 * {@code --seeds 0,1,2}, {@code --fusion-lr X}, {@code --modes a,b}. The part
 * {@code mnemonics} (see {@link MnemonicsBench}) compares herding with mnemonics exemplars, on a free
 * and a scaled-kernel backbone, for the first of {@code --methods} (default icarl) and the arms
 * {@code --modes} (default herding,bilevel,herding+ss,bilevel+ss,code; {@code bilevel@8}: an 8-level
 * displacement bound) over the paired seeds.
 * The part {@code foster} (only when named, see {@link FosterBench}) compares FOSTER with iCaRL on
 * both data sets, with {@code --compression-epochs N} (default 2). The part {@code gpu} (only when
 * named, see {@link GpuBench}) measures the step on the first GPU ({@code --steps N} ResNet-32 steps at
 * batch 128, default 200) and one CIFAR-shaped phase ({@code --train-per-class} images for each of its
 * 50 classes, default 500). The part {@code pod-spatial}
 * (only when named, see {@link PodSpatialBench}) compares PODNet's POD-spatial weights
 * {@code --spatial-weights} (default 3,5) on a convolutional {@code --backbone}. The part
 * {@code pytorch-interop} (only when named, see {@link PyTorchInteropBench}) checks the PyTorch
 * checkpoints both ways with Debian's python3-torch ({@code MNEMOS_INTEROP_PYTHON}, default /usr/bin/python3).
 */
public final class Benchmarks {

    private Benchmarks() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        List<String> parts = new ArrayList<>();
        int iterations = 2000;
        List<String> methods = null;
        List<String> modes = List.of();
        boolean modesGiven = false;
        Path data = Path.of(System.getenv().getOrDefault("MNEMOS_DATA_ROOTS", "../shared/data"));
        List<Long> seeds = List.of(0L, 1L, 2L);
        Double fusionLr = null;
        List<String> arms = AanetsBench.ARMS;
        double maxMinutes = 0;
        Integer epochs = null;
        int compressionEpochs = 2;
        List<String> variants = List.of("herding", "cam", "cim");
        List<String> datasets = List.of("mnist", "fashion-mnist");
        Integer trainPerClass = null;
        int testPerClass = 200;
        String backbone = "resnet32";
        int batchSize = 64;
        int inversionIterations = 100;
        int steps = 200;
        List<Double> spatialWeights = List.of(3.0, 5.0);
        Integer metaIters = null;
        Path specFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--methods" -> methods = Arrays.asList(args[++i].split(","));
                case "--modes" -> {
                    modes = Arrays.asList(args[++i].split(","));
                    modesGiven = true;
                }
                case "--data" -> data = Path.of(args[++i]);
                case "--seeds" ->
                    seeds = Arrays.stream(args[++i].split(","))
                            .map(Long::valueOf)
                            .toList();
                case "--fusion-lr" -> fusionLr = Double.valueOf(args[++i]);
                case "--arms" -> arms = Arrays.asList(args[++i].split(","));
                case "--max-minutes" -> maxMinutes = Double.parseDouble(args[++i]);
                case "--epochs" -> epochs = Integer.valueOf(args[++i]);
                case "--compression-epochs" -> compressionEpochs = Integer.parseInt(args[++i]);
                case "--variants" -> variants = Arrays.asList(args[++i].split(","));
                case "--datasets" -> datasets = Arrays.asList(args[++i].split(","));
                case "--train-per-class" -> trainPerClass = Integer.parseInt(args[++i]);
                case "--test-per-class" -> testPerClass = Integer.parseInt(args[++i]);
                case "--backbone" -> backbone = args[++i];
                case "--batch-size" -> batchSize = Integer.parseInt(args[++i]);
                case "--inversion-iterations" -> inversionIterations = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--meta-iters" -> metaIters = Integer.valueOf(args[++i]);
                case "--spec" -> specFile = Path.of(args[++i]);
                case "--spatial-weights" ->
                    spatialWeights = Arrays.stream(args[++i].split(","))
                            .map(Double::valueOf)
                            .toList();
                default -> parts.add(args[i]);
            }
        }
        if (parts.isEmpty()) {
            parts = List.of("throughput", "mnist", "fashion-mnist");
        }
        System.out.printf(
                "# Mnemos benchmarks%n%nMachine: %d cores, %s %s, Java %s, DJL %s, PyTorch %s%n%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                Engine.getDjlVersion(),
                Engine.getEngine("PyTorch").getVersion());
        for (String part : parts) {
            switch (part) {
                case "throughput" -> throughput();
                case "gpu" -> GpuBench.run(data, steps, trainPerClass == null ? 500 : trainPerClass);
                case "checkpoint" -> CheckpointBench.run(data, seeds, Device.cpu());
                case "mnist", "fashion-mnist" ->
                    table(
                            part,
                            data,
                            iterations,
                            methods == null
                                    ? Parts.methods().stream()
                                            .filter(m ->
                                                    !m.isDataFree() && !m.name().equals("foster"))
                                            .map(m -> m.name())
                                            .toList()
                                    : methods);
                case "dfcil-mnist", "dfcil-fashion-mnist" ->
                    DfcilBench.table(
                            data,
                            part.substring("dfcil-".length()),
                            iterations,
                            inversionIterations,
                            methods == null ? DfcilBench.METHODS : methods,
                            seeds);
                case "abd-5-5", "abd-4-3-3" ->
                    DfcilBench.protocol(
                            data,
                            part,
                            datasets,
                            methods == null ? DfcilBench.PROTOCOL_METHODS : methods,
                            seeds,
                            iterations,
                            inversionIterations);
                case "mnemonics" ->
                    MnemonicsBench.table(
                            data,
                            methods == null ? "icarl" : methods.get(0),
                            modesGiven ? modes : MnemonicsBench.DEFAULT_ARMS,
                            seeds);
                case "mnemonics-example" ->
                    MnemonicsBench.example(data, Path.of("examples/split-fashion-mnist-icarl-mnemonics.json"));
                case "aanets" ->
                    AanetsBench.table(
                            data,
                            methods == null ? List.of("lucir", "icarl") : methods,
                            arms,
                            seeds,
                            fusionLr,
                            maxMinutes,
                            new AanetsBench.Smoke(
                                    epochs == null ? AanetsBench.Smoke.FULL.epochs() : epochs,
                                    trainPerClass,
                                    trainPerClass == null ? null : testPerClass));
                case "foster" ->
                    FosterBench.table(
                            data,
                            iterations,
                            compressionEpochs,
                            methods == null ? List.of("foster", "icarl") : methods,
                            seeds);
                case "compression" ->
                    CompressionBench.table(
                            data,
                            datasets,
                            methods == null ? List.of("icarl") : methods,
                            variants,
                            seeds,
                            iterations,
                            trainPerClass == null ? 300 : trainPerClass,
                            testPerClass,
                            backbone,
                            batchSize,
                            compressionEpochs);
                case "compression-clutter" ->
                    ClutterCompressionBench.table(
                            data,
                            methods == null ? List.of("icarl", "foster") : methods,
                            variants,
                            seeds,
                            epochs == null ? 10 : epochs,
                            trainPerClass == null ? 150 : trainPerClass,
                            testPerClass,
                            batchSize,
                            compressionEpochs,
                            metaIters);
                case "example" -> ExampleRun.run(data, specFile);
                case "pytorch-interop" ->
                    PyTorchInteropBench.table(
                            data,
                            iterations,
                            System.getenv().getOrDefault("MNEMOS_INTEROP_PYTHON", "/usr/bin/python3"));
                case "pod-spatial" ->
                    PodSpatialBench.table(
                            data,
                            datasets,
                            spatialWeights,
                            seeds,
                            iterations,
                            trainPerClass == null ? 300 : trainPerClass,
                            testPerClass,
                            backbone,
                            batchSize);
                default ->
                    throw new IllegalArgumentException(
                            "unknown part " + part + "; allowed: throughput, mnist, fashion-mnist, mnemonics, aanets, "
                                    + "foster, compression, pod-spatial, pytorch-interop, dfcil-mnist, dfcil-fashion-mnist, gpu");
            }
        }
    }

    private static void throughput() {
        System.out.println("## Training throughput (batch 128, data on the device, one optimizer step per batch)\n");
        System.out.println("| model | images/s |");
        System.out.println("|---|---:|");
        for (ThroughputBench.Figure f : List.of(ThroughputBench.mlp(1000), ThroughputBench.resnet32(60))) {
            System.out.printf("| %s | %.0f |%n", f.model(), f.imagesPerSecond());
        }
        System.out.println();
    }

    private static void table(String dataset, Path data, int iterations, List<String> methods) throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        System.out.printf(
                "## Split-%s, class-incremental, 5 phases of 2 classes, %d iterations per phase%n%n",
                dataset.equals("mnist") ? "MNIST" : "Fashion-MNIST", iterations);
        System.out.println(
                "| method | final accuracy | average incremental accuracy | forgetting | accuracy per phase | wall time |");
        System.out.println("|---|---:|---:|---:|---|---:|");
        Path work = Files.createTempDirectory("mnemos-bench");
        for (String method : methods) {
            LocalRun.Result result = LocalRun.run(
                    engine,
                    splitSpec(dataset, method, iterations),
                    work.resolve(dataset + "-" + method),
                    Device.cpu(),
                    p -> {});
            String perPhase = String.join(
                    " ",
                    result.phases().stream()
                            .map(m -> String.format("%.3f", m.accuracy()))
                            .toList());
            System.out.printf(
                    "| %s | %.3f | %.3f | %s | %s | %.0f s |%n",
                    method,
                    result.summary().lastAccuracy(),
                    result.summary().averageIncrementalAccuracy(),
                    result.summary().forgetting() == null
                            ? "-"
                            : String.format("%.3f", result.summary().forgetting()),
                    perPhase,
                    result.seconds());
        }
        System.out.println();
    }

    /** The Split-MNIST protocol of the issue, for any method. */
    public static ExperimentSpec splitSpec(String dataset, String method, int iterations) {
        return new ExperimentSpec(
                "split-" + dataset + "-" + method,
                0L,
                null,
                DatasetSpec.named(dataset),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", List.of(400, 400), "linear"),
                MethodSpec.named(method),
                new MemorySpec("herding", 100, null),
                new TrainingSpec(
                        null,
                        iterations,
                        128,
                        new OptimizerSpec("adam", 1e-3, null, null, null, null, null),
                        null,
                        false));
    }
}
