package org.mnemos.bench;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * FOSTER against iCaRL at the same exemplar budget on Split-MNIST and Split-Fashion-MNIST: MLP
 * 784-400-400, 5 phases of 2 classes, Adam 1e-3 for {@code iterations} per phase (FOSTER's boosting
 * stage, and iCaRL's training), batch 128, herding with 20 exemplars per class; FOSTER compresses
 * for {@code compressionEpochs} epochs (SGD 0.05, momentum 0.9, cosine). Mean ± sample standard
 * deviation over seeds of the final and average incremental accuracy, and the wall time per run;
 * per-seed lines go to stderr. Prints Markdown.
 */
final class FosterBench {

    static final double COMPRESSION_LR = 0.05;

    private FosterBench() {}

    static void table(Path data, int iterations, int compressionEpochs, List<String> methods, List<Long> seeds)
            throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        Path work = Files.createTempDirectory("mnemos-foster");
        System.out.printf(
                "## FOSTER against iCaRL: MLP 784-400-400, 5 phases of 2 classes, %d Adam iterations per phase, "
                        + "FOSTER compression %d epochs (SGD %.2f, cosine), 20 herding exemplars per class, seeds %s%n%n",
                iterations, compressionEpochs, COMPRESSION_LR, seeds);
        System.out.println("| data set | method | final accuracy | average incremental accuracy | wall time per run |");
        System.out.println("|---|---|---:|---:|---:|");
        for (String dataset : List.of("mnist", "fashion-mnist")) {
            for (String method : methods) {
                List<Double> last = new ArrayList<>();
                List<Double> average = new ArrayList<>();
                List<Double> seconds = new ArrayList<>();
                for (long seed : seeds) {
                    LocalRun.Result result = LocalRun.run(
                            engine,
                            spec(dataset, method, iterations, compressionEpochs, seed),
                            work.resolve(dataset + "-" + method + "-" + seed),
                            Device.cpu(),
                            p -> {});
                    last.add(result.summary().lastAccuracy());
                    average.add(result.summary().averageIncrementalAccuracy());
                    seconds.add(result.seconds());
                    System.err.printf(
                            Locale.ROOT,
                            "%s %s seed %d: final %.4f, average %.4f, per phase %s, %.0f s%n",
                            dataset,
                            method,
                            seed,
                            last.get(last.size() - 1),
                            average.get(average.size() - 1),
                            result.phases().stream()
                                    .map(m -> String.format(Locale.ROOT, "%.3f", m.accuracy()))
                                    .toList(),
                            result.seconds());
                }
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | %.0f s |%n",
                        dataset,
                        method,
                        BenchStats.meanStd(last, 3),
                        BenchStats.meanStd(average, 3),
                        seconds.stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElse(0));
            }
        }
        System.out.println();
    }

    /** FOSTER with a short compression stage (SGD {@value #COMPRESSION_LR}); any other method with its defaults. */
    static MethodSpec options(String method, int compressionEpochs) {
        return method.equals("foster")
                ? new FosterSpec(
                        method, null, null, null, null, compressionEpochs, COMPRESSION_LR, null, null, null, null)
                : MethodSpec.named(method);
    }

    static ExperimentSpec spec(String dataset, String method, int iterations, int compressionEpochs, long seed) {
        MethodSpec options = options(method, compressionEpochs);
        return new ExperimentSpec(
                "split-" + dataset + "-" + method,
                seed,
                null,
                DatasetSpec.named(dataset),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", List.of(400, 400), "linear"),
                options,
                new MemorySpec("herding", 20, null),
                new TrainingSpec(
                        null,
                        iterations,
                        128,
                        new OptimizerSpec("adam", 1e-3, null, null, null, null, null),
                        null,
                        false));
    }
}
