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
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.PodnetSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * PODNet's POD-spatial weight λ_c on a convolutional backbone, where the term is not zero (on the
 * tables' MLP it is): for each weight of {@code weights} (3: PODNet's own factor, the engine's
 * default before it followed PyCIL; 5: PyCIL's, the default now), Split-MNIST / Split-Fashion-MNIST
 * in 5 phases of 2 classes, SGD 0.05 (momentum 0.9, wd 5e-4) for {@code iterations} per phase,
 * 20 herding exemplars per class, PODNet's class-balanced finetuning at its defaults. To fit a CPU
 * the data sets are cut to the first {@code trainPerClass} training and {@code testPerClass} test
 * images of each class. Mean ± sample standard deviation over seeds; per-seed lines go to stderr.
 */
final class PodSpatialBench {

    private PodSpatialBench() {}

    static void table(
            Path data,
            List<String> datasets,
            List<Double> weights,
            List<Long> seeds,
            int iterations,
            int trainPerClass,
            int testPerClass,
            String backbone,
            int batchSize)
            throws IOException {
        Path root = Files.createTempDirectory("mnemos-pod-spatial");
        DatasetCatalog full = new DatasetCatalog(new DataRoots(List.of(data)));
        for (String dataset : datasets) {
            var splits = full.load(DatasetSpec.named(dataset));
            CompressionBench.writeIdx(
                    root.resolve(dataset), "train", CompressionBench.firstPerClass(splits.train(), trainPerClass));
            CompressionBench.writeIdx(
                    root.resolve(dataset), "t10k", CompressionBench.firstPerClass(splits.test(), testPerClass));
        }
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(root))));
        System.out.printf(
                Locale.ROOT,
                "## PODNet's POD-spatial weight on %s (%d train / %d test images per class, %d iterations of %d "
                        + "per phase, SGD 0.05, 20 herding exemplars per class, seeds %s)%n%n",
                backbone,
                trainPerClass,
                testPerClass,
                iterations,
                batchSize,
                seeds);
        System.out.println(
                "| data set | λ_c | final accuracy | average incremental accuracy | NME final accuracy | wall time per run |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (String dataset : datasets) {
            for (double weight : weights) {
                List<Double> last = new ArrayList<>();
                List<Double> average = new ArrayList<>();
                List<Double> nme = new ArrayList<>();
                double seconds = 0;
                for (long seed : seeds) {
                    LocalRun.Result result = LocalRun.run(
                            engine,
                            spec(dataset, weight, seed, iterations, backbone, batchSize),
                            root.resolve("runs").resolve(dataset + "-" + weight + "-" + seed),
                            Device.cpu(),
                            p -> {});
                    last.add(result.summary().lastAccuracy());
                    average.add(result.summary().averageIncrementalAccuracy());
                    nme.add(result.phases().get(result.phases().size() - 1).nmeAccuracy());
                    seconds += result.seconds();
                    System.err.printf(
                            Locale.ROOT,
                            "%s λ_c %s seed %d: final %.4f, average %.4f, NME final %.4f, per phase %s, %.0f s%n",
                            dataset,
                            weight,
                            seed,
                            last.get(last.size() - 1),
                            average.get(average.size() - 1),
                            nme.get(nme.size() - 1),
                            result.phases().stream()
                                    .map(m -> String.format(Locale.ROOT, "%.3f", m.accuracy()))
                                    .toList(),
                            result.seconds());
                }
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | %s | %.0f s |%n",
                        dataset,
                        weight,
                        BenchStats.meanStd(last, 3),
                        BenchStats.meanStd(average, 3),
                        BenchStats.meanStd(nme, 3),
                        seconds / seeds.size());
            }
        }
        System.out.println();
    }

    static ExperimentSpec spec(
            String dataset, double spatialWeight, long seed, int iterations, String backbone, int batchSize) {
        return new ExperimentSpec(
                "pod-spatial-" + dataset + "-" + spatialWeight,
                seed,
                null,
                DatasetSpec.named(dataset),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec(backbone, null, null),
                new PodnetSpec("podnet", spatialWeight, null, null, null, null),
                new MemorySpec("herding", 20, null),
                new TrainingSpec(
                        null,
                        iterations,
                        batchSize,
                        new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null),
                        null,
                        false));
    }
}
