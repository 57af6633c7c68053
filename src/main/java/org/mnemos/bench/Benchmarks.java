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
import org.mnemos.engine.method.Methods;
import org.mnemos.engine.spec.AanetsSpec;
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
 * <p>Arguments: any of {@code throughput}, {@code mnist}, {@code fashion-mnist} (default all) and
 * {@code aanets} (see {@link AanetsBench}; only when named), {@code aanets-branches} (branch
 * accuracies of the runs an {@code aanets} part left in {@code --runs DIR}), and {@code --iterations N},
 * {@code --methods a,b}, {@code --data DIR}, {@code --seeds 0,1,2}, {@code --fusion-lr X}.
 */
public final class Benchmarks {

    private Benchmarks() {}

    public static void main(String[] args) throws IOException {
        List<String> parts = new ArrayList<>();
        int iterations = 2000;
        List<String> methods = Methods.NAMES;
        Path data = Path.of(System.getenv().getOrDefault("MNEMOS_DATA_ROOTS", "../shared/data"));
        List<Long> seeds = List.of(0L, 1L, 2L);
        double fusionLr = AanetsSpec.DEFAULT_FUSION_LR;
        Path runs = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--methods" -> methods = Arrays.asList(args[++i].split(","));
                case "--data" -> data = Path.of(args[++i]);
                case "--seeds" -> seeds = Arrays.stream(args[++i].split(",")).map(Long::valueOf).toList();
                case "--fusion-lr" -> fusionLr = Double.parseDouble(args[++i]);
                case "--runs" -> runs = Path.of(args[++i]);
                default -> parts.add(args[i]);
            }
        }
        if (parts.isEmpty()) {
            parts = List.of("throughput", "mnist", "fashion-mnist");
        }
        System.out.printf("# Mnemos benchmarks%n%nMachine: %d cores, %s %s, Java %s, DJL %s, PyTorch %s%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), Engine.getDjlVersion(), Engine.getEngine("PyTorch").getVersion());
        for (String part : parts) {
            switch (part) {
                case "throughput" -> throughput();
                case "mnist", "fashion-mnist" -> table(part, data, iterations, methods);
                case "aanets" -> AanetsBench.table(
                        data, iterations, methods == Methods.NAMES ? List.of("lucir", "icarl") : methods, seeds, fusionLr);
                case "aanets-branches" -> AanetsBench.branches(
                        data, runs, iterations, methods == Methods.NAMES ? List.of("lucir", "icarl") : methods, seeds.get(0), fusionLr);
                default -> throw new IllegalArgumentException(
                        "unknown part " + part + "; allowed: throughput, mnist, fashion-mnist, aanets, aanets-branches");
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
        System.out.printf("## Split-%s, class-incremental, 5 phases of 2 classes, %d iterations per phase%n%n",
                dataset.equals("mnist") ? "MNIST" : "Fashion-MNIST", iterations);
        System.out.println("| method | final accuracy | average incremental accuracy | forgetting | accuracy per phase | wall time |");
        System.out.println("|---|---:|---:|---:|---|---:|");
        Path work = Files.createTempDirectory("mnemos-bench");
        for (String method : methods) {
            LocalRun.Result result = LocalRun.run(engine, splitSpec(dataset, method, iterations), work.resolve(dataset + "-" + method), Device.cpu(), p -> {});
            String perPhase = String.join(" ", result.phases().stream().map(m -> String.format("%.3f", m.accuracy())).toList());
            System.out.printf("| %s | %.3f | %.3f | %s | %s | %.0f s |%n",
                    method, result.summary().lastAccuracy(), result.summary().averageIncrementalAccuracy(),
                    result.summary().forgetting() == null ? "-" : String.format("%.3f", result.summary().forgetting()),
                    perPhase, result.seconds());
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
                new TrainingSpec(null, iterations, null, null, 128,
                        new OptimizerSpec("adam", 1e-3, null, null, null, null, null), null, false));
    }
}
