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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.parts.Parts;
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
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * AANets at the protocol of issue 21 (Split-Fashion-MNIST, one fixed shuffled class order, B5 + 5
 * phases of 1 class; ResNet-8 on 28×28 with a cosine head, projection shortcuts and no final ReLU;
 * SGD 0.1, momentum 0.9, weight decay 5e-4, 8 epochs per phase, ×0.1 at epochs 4 and 6, crop +
 * flip; herding into a fixed total of 100 exemplars). For each method and seed, phase 0 is trained
 * once and every arm continues from it: a single network, AANets with learned α (the defaults, or
 * {@code fusionLr} when given) and AANets with α fixed at 0.5 ({@code fusionLr: 0}). Prints
 * Markdown: mean ± sample standard deviation per arm, the mean paired difference of each AANets
 * arm against the single network with its 95 % t-interval, the α trajectory of every learned run
 * and its last network's accuracy with each branch alone.
 */
final class AanetsBench {

    static final List<String> ARMS = List.of("single", "learned", "fixed");
    private static final int BASE_CLASSES = 5;
    private static final long CLASS_ORDER_SEED = 1993;
    private static final int EPOCHS = 8;
    private static final int MEMORY = 100;

    private AanetsBench() {}

    /**
     * @param maxMinutes stop starting seeds once another seed, as long as the longest so far, would
     *     end past this many minutes from the start (0: no limit); the tables then cover the seeds done
     */
    static void table(
            Path data,
            List<String> methods,
            List<String> arms,
            List<Long> seeds,
            Double fusionLr,
            double maxMinutes,
            Smoke smoke)
            throws IOException {
        long benchStart = System.nanoTime();
        double longestSeed = 0;
        Path work = Files.createTempDirectory("mnemos-aanets");
        Path root = data;
        if (smoke.trainPerClass() != null) {
            // a cut-down protocol: the first images of each class, as the compression bench takes them
            root = work.resolve("data");
            var splits = new DatasetCatalog(new DataRoots(List.of(data))).load(DatasetSpec.named("fashion-mnist"));
            CompressionBench.writeIdx(
                    root.resolve("fashion-mnist"),
                    "train",
                    CompressionBench.firstPerClass(splits.train(), smoke.trainPerClass()));
            CompressionBench.writeIdx(
                    root.resolve("fashion-mnist"),
                    "t10k",
                    CompressionBench.firstPerClass(splits.test(), smoke.testPerClass()));
        }
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(root))));
        System.out.printf(
                "## AANets on Split-Fashion-MNIST (%s): ResNet-8, cosine head, B5 + 5 phases of 1 class "
                        + "(class order seed %d), %d epochs per phase, memory %d in total, fusion lr %s, seeds %s; load average at start %s%n%n",
                smoke.isFull() ? "issue 21 protocol" : "SMOKE RUN, cut-down protocol: " + smoke,
                CLASS_ORDER_SEED,
                smoke.epochs(),
                MEMORY,
                fusionLr == null ? "derived (default)" : fusionLr,
                seeds,
                BenchStats.loadAverage());
        System.out.printf("Runs in %s%n%n", work);
        for (String method : methods) {
            Map<String, List<LocalRun.Result>> results = new LinkedHashMap<>();
            List<String> trajectories = new ArrayList<>();
            List<String> branches = new ArrayList<>();
            for (long seed : seeds) {
                double elapsed = (System.nanoTime() - benchStart) / 60e9;
                if (maxMinutes > 0 && elapsed + longestSeed > maxMinutes) {
                    System.out.printf(
                            "(stopped before seed %d: %.1f min elapsed, a seed takes up to %.1f min, limit %.0f min)%n%n",
                            seed, elapsed, longestSeed, maxMinutes);
                    break;
                }
                Path base = work.resolve(method + "-" + seed + "-phase0");
                long start = System.nanoTime();
                RunPlan basePlan = engine.plan(spec(method, seed, null, smoke.epochs()));
                PhaseOutcome phase0 =
                        engine.runPhase(basePlan, 0, null, base, Device.cpu(), p -> {}, CancellationSignal.NEVER);
                double phase0Seconds = (System.nanoTime() - start) / 1e9;
                System.err.printf(
                        "%s seed %d phase 0: %.4f, %.0f s%n",
                        method, seed, phase0.metrics().accuracy(), phase0Seconds);
                for (String arm : arms) {
                    Path dir = work.resolve(method + "-" + arm + "-" + seed);
                    LocalRun.Result result = LocalRun.continueAfter(
                            engine,
                            spec(method, seed, aggregation(arm, fusionLr), smoke.epochs()),
                            phase0,
                            dir,
                            Device.cpu(),
                            p -> {});
                    results.computeIfAbsent(arm, a -> new ArrayList<>()).add(result);
                    System.err.printf(
                            "%s %s seed %d: final %.4f, average %.4f, per phase %s, %.0f s after phase 0%n",
                            method,
                            arm,
                            seed,
                            result.summary().lastAccuracy(),
                            result.summary().averageIncrementalAccuracy(),
                            levels(result.phases().stream()
                                    .map(PhaseMetrics::accuracy)
                                    .toList()),
                            result.seconds());
                    if (arm.equals("learned")) {
                        trajectories.add(trajectory(seed, result.phases()));
                        branches.add(branchAccuracies(engine, result.plan(), dir, seed));
                        // on stderr as well, so that a run stopped early leaves its diagnosis behind
                        System.err.println(trajectories.get(trajectories.size() - 1));
                        System.err.println(branches.get(branches.size() - 1));
                    }
                }
                longestSeed = Math.max(longestSeed, (System.nanoTime() - start) / 60e9);
            }
            System.out.printf("### %s%n%n", method);
            System.out.println(
                    "| arm | final accuracy | average incremental accuracy | wall time per run (phases 1-5) |");
            System.out.println("|---|---:|---:|---:|");
            results.forEach((arm, runs) -> System.out.printf(
                    "| %s | %s | %s | %.0f s |%n",
                    arm,
                    BenchStats.meanStd(
                            runs.stream().map(r -> r.summary().lastAccuracy()).toList(), 3),
                    BenchStats.meanStd(
                            runs.stream()
                                    .map(r -> r.summary().averageIncrementalAccuracy())
                                    .toList(),
                            3),
                    runs.stream()
                            .mapToDouble(LocalRun.Result::seconds)
                            .average()
                            .orElse(0)));
            System.out.println();
            if (results.containsKey("single")) {
                System.out.println(
                        "Paired differences against the single network (same seed, same phase 0), mean [95 % t-interval]:");
                System.out.println();
                System.out.println("| arm − single | final accuracy | average incremental accuracy |");
                System.out.println("|---|---:|---:|");
                for (String arm : results.keySet()) {
                    if (!arm.equals("single")) {
                        System.out.printf(
                                "| %s − single | %s | %s |%n",
                                arm,
                                paired(
                                        results.get(arm),
                                        results.get("single"),
                                        r -> r.summary().lastAccuracy()),
                                paired(
                                        results.get(arm),
                                        results.get("single"),
                                        r -> r.summary().averageIncrementalAccuracy()));
                    }
                }
                if (results.containsKey("learned") && results.containsKey("fixed")) {
                    System.out.printf(
                            "| learned − fixed | %s | %s |%n",
                            paired(
                                    results.get("learned"),
                                    results.get("fixed"),
                                    r -> r.summary().lastAccuracy()),
                            paired(
                                    results.get("learned"),
                                    results.get("fixed"),
                                    r -> r.summary().averageIncrementalAccuracy()));
                }
                System.out.println();
            }
            if (!trajectories.isEmpty()) {
                System.out.println(
                        "α per level (stem + stage 1, stage 2, stage 3 + pooling) after the first and the last epoch of "
                                + "each phase, the learning rate the phase derived and its α steps; largest |α − 0.5| by the end of phase 2:");
                System.out.println();
                trajectories.forEach(System.out::println);
                System.out.println();
                System.out.println(
                        "CNN accuracy of the last phase's network with the learned α, and with every α forced to 1 "
                                + "(stable branch only) or 0 (plastic branch only):");
                System.out.println();
                branches.forEach(System.out::println);
                System.out.println();
            }
        }
    }

    private static AanetsSpec aggregation(String arm, Double fusionLr) {
        return switch (arm) {
            case "single" -> null;
            case "learned" -> new AanetsSpec(AanetsSpec.NAME, null, null, fusionLr, null);
            case "fixed" -> new AanetsSpec(AanetsSpec.NAME, null, null, 0.0, null);
            default -> throw new IllegalArgumentException("unknown arm " + arm + "; allowed: " + ARMS);
        };
    }

    /** Mean of the paired differences a − b with its 95 % t-interval (t, n − 1). */
    private static String paired(
            List<LocalRun.Result> a,
            List<LocalRun.Result> b,
            java.util.function.ToDoubleFunction<LocalRun.Result> value) {
        int n = Math.min(a.size(), b.size());
        BenchStats.PairedDifference d = BenchStats.paired(
                a.subList(0, n).stream().mapToDouble(value).toArray(),
                b.subList(0, n).stream().mapToDouble(value).toArray());
        return n < 2 ? d.format(4) : d.format(4) + " (n = " + n + ")";
    }

    /**
     * The last phase's CNN accuracy with the learned α and with α forced to 1 and to 0: which branch
     * carries the accuracy. Each variant is a copy of the phase's state with other α written into it.
     */
    private static String branchAccuracies(CilEngine engine, RunPlan plan, Path runDir, long seed) throws IOException {
        int phase = plan.phaseCount() - 1;
        Path state = runDir.resolve("phase-" + phase);
        StringBuilder line = new StringBuilder("- seed " + seed + ":");
        line.append(String.format(
                Locale.ROOT,
                " learned α %.3f;",
                engine.evaluate(plan, phase, state, Device.cpu()).cnnAccuracy()));
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
                try (DataOutputStream out =
                        new DataOutputStream(Files.newOutputStream(variant.resolve(PhaseState.MODEL_FILE)))) {
                    net.saveParameters(out);
                }
            }
            double accuracy =
                    engine.evaluate(plan, phase, variant, Device.cpu()).cnnAccuracy();
            line.append(String.format(
                    Locale.ROOT, " α = %.0f (%s only) %.3f;", alpha, alpha == 1f ? "stable" : "plastic", accuracy));
        }
        return line.toString();
    }

    /** The phase's network as the phase runner builds it for these methods (MLP on 28×28 grey images). */
    private static IncrementalNet network(RunPlan plan, int phase, NDManager manager) {
        CilMethod method = Parts.forRun(plan.spec());
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

    /**
     * What a smoke run cuts from the protocol: fewer epochs (milestones at half and three quarters),
     * the first {@code trainPerClass} / {@code testPerClass} images of each class (null: all).
     */
    record Smoke(int epochs, Integer trainPerClass, Integer testPerClass) {

        static final Smoke FULL = new Smoke(EPOCHS, null, null);

        boolean isFull() {
            return equals(FULL);
        }

        @Override
        public String toString() {
            return epochs + " epochs"
                    + (trainPerClass == null
                            ? ""
                            : ", " + trainPerClass + " train / " + testPerClass + " test images per class");
        }
    }

    static ExperimentSpec spec(String method, long seed, AanetsSpec aggregation, int epochs) {
        return new ExperimentSpec(
                "split-fashion-mnist-" + method + (aggregation == null ? "" : "-aanets"),
                seed,
                null,
                DatasetSpec.named("fashion-mnist"),
                new ProtocolSpec(BASE_CLASSES, 1, null, null, "seeded", CLASS_ORDER_SEED, null),
                new ModelSpec("resnet8", null, "cosine", aggregation, "projection"),
                MethodSpec.named(method),
                new MemorySpec("herding", null, MEMORY),
                new TrainingSpec(
                        epochs,
                        null,
                        128,
                        new OptimizerSpec("sgd", 0.1, 0.9, 5e-4, null, null, null),
                        new ScheduleSpec(
                                "multistep", List.of(Math.max(1, epochs / 2), Math.max(1, epochs * 3 / 4)), 0.1),
                        true));
    }

    /** α after the first and the last epoch of each phase, the phase's learning rate and steps, and the drift by phase 2. */
    private static String trajectory(long seed, List<PhaseMetrics> phases) {
        StringBuilder line = new StringBuilder("- seed " + seed + ":");
        double drift = 0;
        for (PhaseMetrics phase : phases) {
            AggregationWeightsReport report = phase.report(AggregationWeightsReport.class);
            if (report == null || report.weights().isEmpty()) {
                continue;
            }
            List<List<Double>> alphas = report.weights();
            line.append(String.format(
                    Locale.ROOT,
                    " phase %d %s → %s (lr %.3g, %d steps);",
                    phase.phase(),
                    levels(alphas.get(0)),
                    levels(alphas.get(alphas.size() - 1)),
                    report.fusionLr(),
                    report.steps()));
            if (phase.phase() <= 2) {
                for (List<Double> epoch : alphas) {
                    for (double alpha : epoch) {
                        drift = Math.max(drift, Math.abs(alpha - 0.5));
                    }
                }
            }
        }
        return line.append(String.format(Locale.ROOT, " max |α − 0.5| through phase 2: %.4f", drift))
                .toString();
    }

    private static String levels(List<Double> alphas) {
        return alphas.stream()
                .map(a -> String.format(Locale.ROOT, "%.4f", a))
                .collect(Collectors.joining("/", "(", ")"));
    }
}
