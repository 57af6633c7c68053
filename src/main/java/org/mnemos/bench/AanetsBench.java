package org.mnemos.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.parts.Methods;
import org.mnemos.engine.parts.model.aanets.AggregationWeightsReport;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.PhaseState;
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
 * Each method with and without AANets on Split-Fashion-MNIST (MLP 784-400-400, 5 phases of 2
 * classes, Adam 1e-3, batch 128, herding with 20 exemplars per class), over several seeds: mean ±
 * sample standard deviation of the final and average incremental accuracy, the wall time, and, for
 * the first seed, the α trajectories and the last network's accuracy with each branch alone.
 * Prints Markdown.
 */
final class AanetsBench {

    private AanetsBench() {}

    static void table(Path data, int iterations, List<String> methods, List<Long> seeds, double fusionLr) throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        Path work = Files.createTempDirectory("mnemos-aanets");
        System.out.printf("## AANets on Split-Fashion-MNIST: MLP 784-400-400, 5 phases of 2 classes, %d iterations per phase, "
                + "20 exemplars per class, fusion lr %s, seeds %s%n%n", iterations, fusionLr, seeds);
        System.out.println("| method | model | final accuracy | average incremental accuracy | wall time per run |");
        System.out.println("|---|---|---:|---:|---:|");
        List<String> trajectories = new ArrayList<>();
        List<String> branches = new ArrayList<>();
        for (String method : methods) {
            for (boolean aanets : List.of(false, true)) {
                List<Double> last = new ArrayList<>();
                List<Double> average = new ArrayList<>();
                List<Double> seconds = new ArrayList<>();
                for (long seed : seeds) {
                    AanetsSpec aggregation = aanets ? new AanetsSpec(AanetsSpec.NAME, null, null, fusionLr, false) : null;
                    ExperimentSpec spec = spec(method, iterations, seed, aggregation);
                    LocalRun.Result result = LocalRun.run(
                            engine, spec, work.resolve(method + "-" + aanets + "-" + seed), Device.cpu(), p -> {});
                    last.add(result.summary().lastAccuracy());
                    average.add(result.summary().averageIncrementalAccuracy());
                    seconds.add(result.seconds());
                    if (aanets && seed == seeds.get(0)) {
                        trajectories.add(trajectory(method, result.phases()));
                        branches.add(branchAccuracies(engine, result.plan(), work.resolve(method + "-" + aanets + "-" + seed)));
                    }
                }
                System.out.printf("| %s | %s | %s | %s | %.0f s |%n", method, aanets ? "AANets (ss + free)" : "single MLP",
                        meanStd(last), meanStd(average), seconds.stream().mapToDouble(Double::doubleValue).average().orElse(0));
            }
        }
        System.out.println();
        System.out.printf("α per level (hidden layer 1, hidden layer 2) after the first and the last pass of each phase, seed %d:%n%n",
                seeds.get(0));
        trajectories.forEach(System.out::println);
        System.out.println();
        System.out.printf("CNN accuracy of the last phase's network with the learned α, and with every α forced to 1 "
                + "(stable branch only) or 0 (plastic branch only), seed %d:%n%n", seeds.get(0));
        branches.forEach(System.out::println);
        System.out.println();
    }

    /**
     * For runs this bench left in {@code runs} (its work directory): the branch accuracies of the
     * first seed's AANets run of each method, as {@link #table} prints them.
     */
    static void branches(Path data, Path runs, int iterations, List<String> methods, long seed, double fusionLr)
            throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        System.out.printf("CNN accuracy of the last phase's network with the learned α, and with every α forced to 1 "
                + "(stable branch only) or 0 (plastic branch only), seed %d:%n%n", seed);
        for (String method : methods) {
            RunPlan plan = engine.plan(spec(method, iterations, seed, new AanetsSpec(AanetsSpec.NAME, null, null, fusionLr, false)));
            System.out.println(branchAccuracies(engine, plan, runs.resolve(method + "-true-" + seed)));
        }
        System.out.println();
    }

    /**
     * The last phase's CNN accuracy with the learned α and with α forced to 1 and to 0: which branch
     * carries the accuracy. Each variant is a copy of the phase's state with other α written into it.
     */
    private static String branchAccuracies(CilEngine engine, RunPlan plan, Path runDir) throws IOException {
        int phase = plan.phaseCount() - 1;
        Path state = runDir.resolve("phase-" + phase);
        StringBuilder line = new StringBuilder("- " + plan.spec().method().name() + ":");
        line.append(String.format(Locale.ROOT, " learned α %.3f;", engine.evaluate(plan, phase, state, Device.cpu()).cnnAccuracy()));
        for (float alpha : new float[] {1f, 0f}) {
            Path variant = Files.createTempDirectory("mnemos-aanets-alpha");
            try (var files = Files.list(state)) {
                for (Path file : files.toList()) {
                    Files.copy(file, variant.resolve(file.getFileName()));
                }
            }
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                IncrementalNet net = network(plan, phase, manager);
                PhaseState saved = PhaseState.read(state);
                saved.loadParameters(state, net, manager);
                for (Parameter weight : net.aggregationWeights()) {
                    manager.create(new float[] {alpha}).copyTo(weight.getArray());
                }
                try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(variant.resolve(PhaseState.MODEL_FILE)))) {
                    net.saveParameters(out);
                }
            }
            double accuracy = engine.evaluate(plan, phase, variant, Device.cpu()).cnnAccuracy();
            line.append(String.format(Locale.ROOT, " α = %.0f (%s only) %.3f;", alpha, alpha == 1f ? "stable" : "plastic", accuracy));
        }
        return line.toString();
    }

    /** The phase's network as the phase runner builds it for these methods (MLP on 28×28 grey images). */
    private static IncrementalNet network(RunPlan plan, int phase, NDManager manager) {
        CilMethod method = Methods.forRun(plan.spec());
        IncrementalNet.Builder builder = IncrementalNet.builderFor(plan.spec().model(), 1, 28, 28, phase)
                .optBiasCorrection(method.biasCorrectionLayer());
        if (method.head() != null) {
            builder.optHead(method.head());
        }
        List<Integer> segments = new ArrayList<>();
        for (int p = 0; p <= phase; p++) {
            segments.add(plan.phases().get(p).size());
        }
        return IncrementalNet.rebuild(builder, new Shape(1, 1, 28, 28), segments, manager);
    }

    static ExperimentSpec spec(String method, int iterations, long seed, AanetsSpec aggregation) {
        return new ExperimentSpec(
                "split-fashion-mnist-" + method + (aggregation == null ? "" : "-aanets"),
                seed,
                null,
                DatasetSpec.named("fashion-mnist"),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", List.of(400, 400), "linear", aggregation),
                MethodSpec.named(method),
                new MemorySpec("herding", 20, null),
                new TrainingSpec(null, iterations, 128,
                        new OptimizerSpec("adam", 1e-3, null, null, null, null, null), null, false));
    }

    private static String trajectory(String method, List<PhaseMetrics> phases) {
        StringBuilder line = new StringBuilder("- " + method + ":");
        for (PhaseMetrics phase : phases) {
            AggregationWeightsReport report = phase.report(AggregationWeightsReport.class);
            List<List<Double>> alphas = report == null ? null : report.weights();
            if (alphas == null || alphas.isEmpty()) {
                continue;
            }
            line.append(String.format(Locale.ROOT, " phase %d %s → %s;", phase.phase(),
                    levels(alphas.get(0)), levels(alphas.get(alphas.size() - 1))));
        }
        return line.toString();
    }

    private static String levels(List<Double> alphas) {
        return alphas.stream().map(a -> String.format(Locale.ROOT, "%.4f", a)).collect(Collectors.joining("/", "(", ")"));
    }

    private static String meanStd(List<Double> values) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        double std = values.size() > 1 ? Math.sqrt(squares / (values.size() - 1)) : 0;
        return String.format(Locale.ROOT, "%.3f ± %.3f", mean, std);
    }
}
