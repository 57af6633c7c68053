package org.mnemos.bench;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.InversionMetrics;
import org.mnemos.engine.metrics.InversionPreconditions;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.spec.AbdSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.DeepInversionSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InversionSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * Data-free CIL on Split-MNIST and Split-Fashion-MNIST (5 phases of 2 classes, natural order) with
 * a BatchNorm backbone (ResNet-8: ResNet-32's design with one block per stage, at 28×28): ABD,
 * DeepInversion, LwF.MC, LwF and finetuning, plus replay with 20 herding exemplars per class for
 * scale. Mean ± std of the final accuracy over seeds, wall time per run and the inversion's share.
 * Scaled down to fit a CPU: few iterations per phase and few generator steps (both options).
 */
final class DfcilBench {

    static final List<String> METHODS = List.of("abd", "deepinversion", "lwf-mc", "lwf", "finetune", "replay");
    static final int BATCH = 64;

    private DfcilBench() {}

    static void table(
            Path data, String dataset, int iterations, int inversionIterations, List<String> methods, List<Long> seeds)
            throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        System.out.printf(
                "## Data-free CIL, Split-%s, ResNet-8, %d iterations per phase (batch %d, Adam 1e-3), "
                        + "%d generator steps (batch %d), seeds %s%n%n",
                dataset.equals("mnist") ? "MNIST" : "Fashion-MNIST",
                iterations,
                BATCH,
                inversionIterations,
                BATCH,
                seeds);
        System.out.println(
                "| method | final accuracy | average incremental accuracy | wall time per run | inversion share | replay share |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        Path work = Files.createTempDirectory("mnemos-dfcil");
        for (String method : methods) {
            double[] last = new double[seeds.size()];
            double[] average = new double[seeds.size()];
            double seconds = 0;
            double inversion = 0;
            double replay = 0;
            for (int s = 0; s < seeds.size(); s++) {
                ExperimentSpec spec = spec(dataset, method, iterations, inversionIterations, seeds.get(s));
                LocalRun.Result result = LocalRun.run(
                        engine, spec, work.resolve(dataset + "-" + method + "-" + seeds.get(s)), Device.cpu(), p -> {});
                last[s] = result.summary().lastAccuracy();
                average[s] = result.summary().averageIncrementalAccuracy();
                seconds += result.seconds();
                for (PhaseMetrics phase : result.phases()) {
                    InversionMetrics report = phase.report(InversionMetrics.class);
                    if (report != null) {
                        inversion += report.seconds();
                        replay += report.replaySeconds();
                    }
                }
                List<String> perPhase = new ArrayList<>();
                result.phases().forEach(m -> perPhase.add(String.format("%.3f", m.accuracy())));
                System.err.printf(
                        "%s %s seed %d: final %.3f, per phase %s, %.0f s%n",
                        dataset, method, seeds.get(s), last[s], String.join(" ", perPhase), result.seconds());
            }
            System.out.printf(
                    "| %s | %s | %s | %.0f s | %s | %s |%n",
                    method,
                    BenchStats.meanStd(last, 3),
                    BenchStats.meanStd(average, 3),
                    seconds / seeds.size(),
                    inversion > 0 ? String.format("%.0f%%", 100 * inversion / seconds) : "-",
                    replay > 0 ? String.format("%.0f%%", 100 * replay / seconds) : "-");
        }
        System.out.println();
    }

    static ExperimentSpec spec(String dataset, String method, int iterations, int inversionIterations, long seed) {
        InversionSpec inversion =
                new InversionSpec(inversionIterations, BATCH, null, null, null, null, null, null, null);
        boolean dataFree = Parts.method(method).isDataFree();
        MethodSpec methodSpec = methodSpec(method, inversion);
        return new ExperimentSpec(
                "dfcil-" + dataset + "-" + method,
                seed,
                null,
                DatasetSpec.named(dataset),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("resnet8", null, "linear"),
                methodSpec,
                dataFree ? null : new MemorySpec("herding", 20, null),
                new TrainingSpec(
                        null,
                        iterations,
                        BATCH,
                        new OptimizerSpec("adam", 1e-3, null, null, null, null, null),
                        null,
                        false));
    }

    /** The methods of issue 22's protocol, in the order they run for each seed. */
    static final List<String> PROTOCOL_METHODS = List.of("finetune", "lwf-mc", "deepinversion", "abd");
    /** Phase-0 accuracy the protocol requires of the inverted network (the audit's gate: 5 classes of MNIST, of Fashion-MNIST). */
    private static final Map<String, Double> PHASE0_GATE = Map.of("mnist", 0.97, "fashion-mnist", 0.88);

    /**
     * Issue 22's protocol: {@code tasks} classes per task in natural order ({@code abd-5-5}: two tasks
     * of five, {@code abd-4-3-3}), full training sets, ResNet-8, batch 64, the authors' SGD (0.1,
     * momentum 0.9, wd 2e-4, ×0.1 at 60 % and 80 % of the steps, restarted every task), the authors'
     * inversion weights with the generator's batch at 64; finetune, LwF.MC, DeepInversion and ABD on
     * the same seeds. Prints each run with its preconditions, the methods' final accuracies, and the
     * mean paired differences with their 95 % t-intervals.
     */
    static void protocol(
            Path data,
            String part,
            List<String> datasets,
            List<String> methods,
            List<Long> seeds,
            int iterations,
            int inversionIterations)
            throws IOException {
        List<Integer> tasks = Arrays.stream(part.substring("abd-".length()).split("-"))
                .map(Integer::valueOf)
                .toList();
        boolean full = iterations == 300 && inversionIterations == 350;
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        Path work = Files.createTempDirectory("mnemos-abd-protocol");
        for (String dataset : datasets) {
            System.out.printf(
                    "## Data-free CIL, Split-%s as tasks of %s classes%s: ResNet-8, %d steps of batch %d per task "
                            + "(SGD 0.1, momentum 0.9, wd 2e-4, ×0.1 at %s), %d generator steps of batch %d after each task but the last, "
                            + "seeds %s%n%n",
                    dataset.equals("mnist") ? "MNIST" : "Fashion-MNIST",
                    tasks,
                    full ? "" : " (SMOKE RUN: cut-down protocol)",
                    iterations,
                    BATCH,
                    milestones(iterations),
                    inversionIterations,
                    BATCH,
                    seeds);
            Map<String, double[]> finals = new LinkedHashMap<>();
            methods.forEach(m -> finals.put(m, new double[seeds.size()]));
            System.out.println(
                    "| method | seed | final | per task | s | inverted accuracy | dream shares (256) | coverage | BN term first → last |");
            System.out.println("|---|---:|---:|---|---:|---|---|---|---|");
            for (int s = 0; s < seeds.size(); s++) {
                for (String method : methods) {
                    ExperimentSpec spec =
                            protocolSpec(dataset, method, tasks, iterations, inversionIterations, seeds.get(s));
                    LocalRun.Result result = LocalRun.run(
                            engine,
                            spec,
                            work.resolve(dataset + "-" + method + "-" + seeds.get(s)),
                            Device.cpu(),
                            p -> {});
                    finals.get(method)[s] = result.summary().lastAccuracy();
                    List<String> perTask = new ArrayList<>();
                    List<String> accuracy = new ArrayList<>();
                    List<String> shares = new ArrayList<>();
                    List<String> coverage = new ArrayList<>();
                    List<String> bn = new ArrayList<>();
                    for (PhaseMetrics phase : result.phases()) {
                        perTask.add(String.format("%.3f", phase.accuracy()));
                        InversionMetrics report = phase.report(InversionMetrics.class);
                        InversionPreconditions pre = report == null ? null : report.preconditions();
                        if (pre == null) {
                            continue;
                        }
                        boolean gate = pre.teacherAccuracy() >= PHASE0_GATE.getOrDefault(dataset, 0.0);
                        accuracy.add(String.format(
                                "%.3f%s", pre.teacherAccuracy(), phase.phase() == 0 && !gate ? " (below gate)" : ""));
                        shares.add(Arrays.stream(pre.classShares())
                                .mapToObj(x -> String.format("%.2f", x))
                                .collect(Collectors.joining(" ")));
                        coverage.add(
                                pre.coverageHolds()
                                        ? "holds"
                                        : "FAILS (" + pre.classesDreamed() + "/" + pre.classShares().length
                                                + " classes, max " + String.format("%.2f", pre.largestShare()) + ")");
                        bn.add(String.format(
                                "%.3f → %.3f%s",
                                pre.bnTermFirst(), pre.bnTermLast(), pre.bnTermFell() ? "" : " (DID NOT FALL)"));
                    }
                    System.out.printf(
                            "| %s | %d | %.3f | %s | %.0f | %s | %s | %s | %s |%n",
                            method,
                            seeds.get(s),
                            finals.get(method)[s],
                            String.join(" ", perTask),
                            result.seconds(),
                            dashIfEmpty(accuracy),
                            dashIfEmpty(shares),
                            dashIfEmpty(coverage),
                            dashIfEmpty(bn));
                }
            }
            System.out.println();
            System.out.println("| method | final accuracy (mean ± std) |");
            System.out.println("|---|---:|");
            finals.forEach(
                    (method, values) -> System.out.printf("| %s | %s |%n", method, BenchStats.meanStd(values, 3)));
            System.out.println();
            System.out.println("| paired difference of final accuracy | mean | 95 % t-interval | n |");
            System.out.println("|---|---:|---|---:|");
            for (String[] pair : List.of(
                    new String[] {"abd", "lwf-mc"},
                    new String[] {"lwf-mc", "finetune"},
                    new String[] {"abd", "deepinversion"},
                    new String[] {"deepinversion", "finetune"})) {
                if (finals.containsKey(pair[0]) && finals.containsKey(pair[1])) {
                    System.out.println(pairedRow(pair[0] + " − " + pair[1], finals.get(pair[0]), finals.get(pair[1])));
                }
            }
            System.out.println();
        }
    }

    static ExperimentSpec protocolSpec(
            String dataset, String method, List<Integer> tasks, int iterations, int inversionIterations, long seed) {
        List<List<Integer>> phases = new ArrayList<>();
        int next = 0;
        for (int size : tasks) {
            List<Integer> classes = new ArrayList<>();
            for (int c = 0; c < size; c++) {
                classes.add(next++);
            }
            phases.add(classes);
        }
        InversionSpec inversion =
                new InversionSpec(inversionIterations, BATCH, null, null, null, null, null, null, null);
        MethodSpec methodSpec = methodSpec(method, inversion);
        return new ExperimentSpec(
                "abd-protocol-" + dataset + "-" + method,
                seed,
                null,
                DatasetSpec.named(dataset),
                new ProtocolSpec(null, null, null, phases, "natural", null, null),
                new ModelSpec("resnet8", null, "linear"),
                methodSpec,
                null,
                new TrainingSpec(
                        null,
                        iterations,
                        BATCH,
                        new OptimizerSpec("sgd", 0.1, 0.9, 2e-4, false, null, null),
                        new ScheduleSpec("multistep", milestones(iterations), 0.1),
                        false));
    }

    /** The authors' ×0.1 steps, placed at 60 % and 80 % of a task's steps. */
    private static List<Integer> milestones(int iterations) {
        return List.of((int) Math.round(0.6 * iterations), (int) Math.round(0.8 * iterations));
    }

    /** {@code a − b} paired over seeds: the mean difference and its 95 % interval with Student's t at n − 1 degrees of freedom. */
    static String pairedRow(String label, double[] a, double[] b) {
        BenchStats.PairedDifference d = BenchStats.paired(a, b);
        return d.n() < 2
                ? String.format(Locale.ROOT, "| %s | %+.3f | - (one seed) | %d |", label, d.mean(), d.n())
                : String.format(
                        Locale.ROOT, "| %s | %+.3f | [%+.3f, %+.3f] | %d |", label, d.mean(), d.low(), d.high(), d.n());
    }

    private static String dashIfEmpty(List<String> values) {
        return values.isEmpty() ? "-" : String.join("; ", values);
    }

    /** {@code method} with the data-free methods' inversion options; any other method with its defaults. */
    static MethodSpec methodSpec(String method, InversionSpec inversion) {
        return switch (method) {
            case AbdSpec.NAME -> AbdSpec.of(inversion);
            case DeepInversionSpec.NAME -> DeepInversionSpec.of(null, inversion);
            default -> MethodSpec.named(method);
        };
    }
}
