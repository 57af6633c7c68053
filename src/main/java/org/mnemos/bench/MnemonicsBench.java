package org.mnemos.bench;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.MnemonicsMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.MnemonicsSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * The {@code mnemonics} part: issue 21's protocol. Split-Fashion-MNIST in one fixed shuffled class
 * order (seed 1993), 5 base classes + 5 phases of 1; ResNet-8 on 28×28 with a cosine head,
 * projection shortcuts and no final ReLU; SGD 0.1, momentum 0.9, weight decay 5e-4, 8 epochs per
 * phase, ×0.1 at epochs 4 and 6, batch 128, the engine's augmentation; 5 exemplars per class. Arms
 * ({@code --modes}): {@code herding}, {@code code}, {@code bilevel}, {@code firstOrder}, each with an
 * optional {@code +ss} (model.scaledKernels). Every arm runs on the same seeds; the table gives each
 * arm's mean and the paired differences against its baseline with 95 % t-intervals, and every
 * mnemonics stage's held-out outer-loss fall, acceptance and displacement.
 *
 * <p>Phase 0 is trained once per seed ({@link SharedPhaseZero}): the arms' phase-0 training is the
 * same (their specs differ only in the memory, which acts after the training, and in
 * {@code model.scaledKernels}, which acts from phase 1), so each arm's phase 0 resumes from the end of
 * that training, with the network, optimizer and generators it left, and runs only its own memory
 * update (herding, or herding and the mnemonics stage) and evaluation, then its phases 1 to 5. The
 * mnemonics stage draws from the generator the training drew from; resuming restores it, so every
 * arm's run is bit for bit the run of its spec from scratch (SharedPhaseZeroTest), as before the
 * sharing, at one phase-0 training per seed instead of one per arm.
 */
final class MnemonicsBench {

    static final List<String> DEFAULT_ARMS = List.of("herding", "bilevel", "herding+ss", "bilevel+ss", "code");
    private static final int PER_CLASS = 5;
    private static final int EPOCHS = 8;
    private static final long CLASS_ORDER_SEED = 1993L;

    private MnemonicsBench() {}

    /** One finished run of one arm: its accuracies and its mnemonics stages. */
    record Run(String arm, long seed, double last, double average, double seconds, List<MnemonicsMetrics> stages) {}

    static void table(Path data, String method, List<String> arms, List<Long> seeds) throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        Path work = Files.createTempDirectory("mnemos-bench-mnemonics");
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        List<String> phaseZeroSeconds = new ArrayList<>();
        System.out.printf(
                Locale.ROOT,
                "## Mnemonics (issue 21), Split-Fashion-MNIST B5 + 5×1, ResNet-8 cosine, %s, %d exemplars per class, "
                        + "%d epochs per phase, seeds %s; phase 0 trained once per seed; load average at start %s%n%n",
                method,
                PER_CLASS,
                EPOCHS,
                seeds,
                BenchStats.loadAverage());
        System.out.println("Runs as they finish (final = last phase's accuracy, average = average incremental accuracy;"
                + " wall time: the arm's own phase-0 memory update and evaluation, and phases 1-5):\n");
        System.out.println(
                "| arm | seed | final | average | wall time | stages kept | held-out loss fall per stage | mean / max displacement (levels) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|---|");
        for (long seed : seeds) {
            SharedPhaseZero phaseZero = SharedPhaseZero.train(
                    engine, spec(method, "herding", seed, EPOCHS), work.resolve("phase0-" + seed));
            phaseZeroSeconds.add(String.format(Locale.ROOT, "seed %d %.0f s", seed, phaseZero.seconds()));
            for (String arm : arms) {
                LocalRun.Result result =
                        phaseZero.run(engine, spec(method, arm, seed, EPOCHS), work.resolve(arm + "-" + seed));
                List<MnemonicsMetrics> stages = new ArrayList<>();
                for (PhaseMetrics phase : result.phases()) {
                    MnemonicsMetrics report = phase.report(MnemonicsMetrics.class);
                    if (report != null) {
                        stages.add(report);
                    }
                }
                Run run = new Run(
                        arm,
                        seed,
                        result.summary().lastAccuracy(),
                        result.summary().averageIncrementalAccuracy(),
                        result.seconds(),
                        stages);
                runs.computeIfAbsent(arm, a -> new ArrayList<>()).add(run);
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %d | %.4f | %.4f | %.0f s | %s | %s | %s |%n",
                        arm,
                        seed,
                        run.last(),
                        run.average(),
                        run.seconds(),
                        kept(stages),
                        heldOutFalls(stages),
                        displacement(stages));
                System.out.flush();
            }
        }
        System.out.println();
        System.out.println("Shared phase 0 (training, with a herding update and evaluation not used): "
                + String.join(", ", phaseZeroSeconds) + ".\n");
        System.out.println("| arm | n | final | average |");
        System.out.println("|---|---:|---:|---:|");
        runs.forEach((arm, list) -> System.out.printf(
                Locale.ROOT,
                "| %s | %d | %s | %s |%n",
                arm,
                list.size(),
                BenchStats.meanStd(list.stream().mapToDouble(Run::last).toArray(), 4),
                BenchStats.meanStd(list.stream().mapToDouble(Run::average).toArray(), 4)));
        System.out.println();
        System.out.println("Paired differences (same seeds), mean [95 % t-interval]:\n");
        System.out.println("| comparison | n | final | average |");
        System.out.println("|---|---:|---|---|");
        for (String arm : runs.keySet()) {
            String baseline = baseline(arm);
            if (baseline != null && runs.containsKey(baseline)) {
                paired(arm, baseline, runs);
            }
        }
        if (runs.containsKey("bilevel+ss") && runs.containsKey("herding")) {
            paired("bilevel+ss", "herding", runs);
        }
        System.out.println();
    }

    /** What an arm is compared with: its exemplars against herding on the same backbone, ss against free with herding. */
    private static String baseline(String arm) {
        if (arm.equals("herding")) {
            return null;
        }
        if (arm.equals("herding+ss")) {
            return "herding";
        }
        return arm.endsWith("+ss") ? "herding+ss" : "herding";
    }

    private static void paired(String arm, String baseline, Map<String, List<Run>> runs) {
        List<double[]> pairs = new ArrayList<>();
        for (Run run : runs.get(arm)) {
            for (Run base : runs.get(baseline)) {
                if (base.seed() == run.seed()) {
                    pairs.add(new double[] {run.last() - base.last(), run.average() - base.average()});
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "| %s − %s | %d | %s | %s |%n",
                arm,
                baseline,
                pairs.size(),
                BenchStats.paired(pairs.stream().mapToDouble(p -> p[0]).toArray())
                        .format(4),
                BenchStats.paired(pairs.stream().mapToDouble(p -> p[1]).toArray())
                        .format(4));
    }

    private static String kept(List<MnemonicsMetrics> stages) {
        return stages.isEmpty()
                ? "-"
                : stages.stream()
                                .filter(stage -> Boolean.TRUE.equals(stage.accepted()))
                                .count() + "/" + stages.size();
    }

    /** Per stage: the relative fall of the held-out outer loss (code mode: of the loss on its own data), in %. */
    private static String heldOutFalls(List<MnemonicsMetrics> stages) {
        if (stages.isEmpty()) {
            return "-";
        }
        List<String> falls = new ArrayList<>();
        for (MnemonicsMetrics stage : stages) {
            double before = stage.heldOutLossBefore() != null ? stage.heldOutLossBefore() : stage.outerLossBefore();
            double after = stage.heldOutLossAfter() != null ? stage.heldOutLossAfter() : stage.outerLossAfter();
            falls.add(String.format(Locale.ROOT, "%.1f", 100 * (before - after) / before));
        }
        return String.join(" ", falls) + " %";
    }

    private static String displacement(List<MnemonicsMetrics> stages) {
        if (stages.isEmpty()) {
            return "-";
        }
        double mean = stages.stream()
                .mapToDouble(MnemonicsMetrics::meanAbsoluteChange)
                .average()
                .orElse(0);
        double max = stages.stream()
                .mapToDouble(MnemonicsMetrics::maxAbsoluteChange)
                .max()
                .orElse(0);
        return String.format(Locale.ROOT, "%.2f / %.1f", mean, max);
    }

    /** Runs an example spec file (the mnemonics example) once and prints its wall time, accuracies and stages. */
    static void example(Path data, Path file) throws IOException {
        ExperimentSpec spec =
                tools.jackson.databind.json.JsonMapper.builder().build().readValue(file.toFile(), ExperimentSpec.class);
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        LocalRun.Result result =
                LocalRun.run(engine, spec, Files.createTempDirectory("mnemos-example"), Device.cpu(), p -> {});
        List<MnemonicsMetrics> stages = result.phases().stream()
                .map(p -> p.report(MnemonicsMetrics.class))
                .filter(java.util.Objects::nonNull)
                .toList();
        System.out.printf(
                Locale.ROOT,
                "%s: %.0f s, final %.4f, average %.4f, stages kept %s, held-out falls %s, displacement %s%n",
                file,
                result.seconds(),
                result.summary().lastAccuracy(),
                result.summary().averageIncrementalAccuracy(),
                kept(stages),
                heldOutFalls(stages),
                displacement(stages));
    }

    /**
     * The protocol's spec for one arm: {@code herding}, {@code code}, {@code bilevel} or {@code
     * firstOrder}, the last two optionally with {@code @N}, a displacement bound of N grey levels
     * instead of the default ({@code bilevel@8}), each optionally {@code +ss}; {@code epochs} per
     * phase (the protocol's {@value #EPOCHS}, fewer in tests).
     */
    static ExperimentSpec spec(String method, String arm, long seed, int epochs) {
        boolean scaled = arm.endsWith("+ss");
        String selector = scaled ? arm.substring(0, arm.length() - "+ss".length()) : arm;
        Double maxChange = null;
        int at = selector.indexOf('@');
        if (at >= 0) {
            try {
                maxChange = Double.parseDouble(selector.substring(at + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "arm " + arm + ": the bound after @ must be a number of grey levels");
            }
            selector = selector.substring(0, at);
            if (selector.equals("herding") || selector.equals("code")) {
                throw new IllegalArgumentException("arm " + arm + ": " + selector + " takes no displacement bound");
            }
        }
        MemorySpec memory = selector.equals("herding")
                ? new MemorySpec("herding", PER_CLASS, null)
                : new MemorySpec(
                        "mnemonics",
                        PER_CLASS,
                        null,
                        null,
                        new MnemonicsSpec(selector, null, null, null, null, null, null, maxChange, null));
        return new ExperimentSpec(
                "split-fashion-mnist-b5-" + method + "-" + arm,
                seed,
                null,
                DatasetSpec.named("fashion-mnist"),
                new ProtocolSpec(5, 1, null, null, "seeded", CLASS_ORDER_SEED, null),
                new ModelSpec("resnet8", null, "cosine", null, "projection", null, scaled ? Boolean.TRUE : null),
                MethodSpec.named(method),
                memory,
                new TrainingSpec(
                        epochs,
                        null,
                        128,
                        new OptimizerSpec("sgd", 0.1, 0.9, 5e-4, false, null, null),
                        new ScheduleSpec("multistep", List.of(4, 6), 0.1),
                        true));
    }
}
