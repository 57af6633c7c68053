package org.mnemos.bench;

import ai.djl.Device;
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
import org.mnemos.engine.metrics.InversionMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.Methods;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InversionSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
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

    static void table(Path data, String dataset, int iterations, int inversionIterations, List<String> methods, List<Long> seeds)
            throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        System.out.printf("## Data-free CIL, Split-%s, ResNet-8, %d iterations per phase (batch %d, Adam 1e-3), "
                        + "%d generator steps (batch %d), seeds %s%n%n",
                dataset.equals("mnist") ? "MNIST" : "Fashion-MNIST", iterations, BATCH, inversionIterations, BATCH, seeds);
        System.out.println("| method | final accuracy | average incremental accuracy | wall time per run | inversion share | replay share |");
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
                LocalRun.Result result = LocalRun.run(engine, spec, work.resolve(dataset + "-" + method + "-" + seeds.get(s)),
                        Device.cpu(), p -> {});
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
                System.err.printf("%s %s seed %d: final %.3f, per phase %s, %.0f s%n",
                        dataset, method, seeds.get(s), last[s], String.join(" ", perPhase), result.seconds());
            }
            System.out.printf("| %s | %s | %s | %.0f s | %s | %s |%n", method, meanStd(last), meanStd(average), seconds / seeds.size(),
                    inversion > 0 ? String.format("%.0f%%", 100 * inversion / seconds) : "-",
                    replay > 0 ? String.format("%.0f%%", 100 * replay / seconds) : "-");
        }
        System.out.println();
    }

    static ExperimentSpec spec(String dataset, String method, int iterations, int inversionIterations, long seed) {
        InversionSpec inversion = new InversionSpec(inversionIterations, BATCH, null, null, null, null, null, null, null);
        boolean dataFree = Methods.DATA_FREE.contains(method);
        MethodSpec methodSpec = new MethodSpec(method, null, null, null, null, null, null, null, null, null, null, null, null,
                method.equals("abd") ? inversion : null, method.equals("deepinversion") ? inversion : null);
        return new ExperimentSpec(
                "dfcil-" + dataset + "-" + method,
                seed,
                null,
                DatasetSpec.named(dataset),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("resnet8", null, "linear"),
                methodSpec,
                dataFree ? null : new MemorySpec("herding", 20, null),
                new TrainingSpec(null, iterations, BATCH,
                        new OptimizerSpec("adam", 1e-3, null, null, null, null, null), null, false));
    }

    private static String meanStd(double[] values) {
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        double variance = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / Math.max(values.length - 1, 1);
        return String.format("%.3f ± %.3f", mean, Math.sqrt(variance));
    }
}
