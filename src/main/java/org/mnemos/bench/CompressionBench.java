package org.mnemos.bench;

import ai.djl.Device;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.CompressedImage;
import org.mnemos.engine.metrics.CimMetrics;
import org.mnemos.engine.metrics.MemoryMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.method.foster.StudentAccuracyReport;
import org.mnemos.engine.spec.CamCompressionSpec;
import org.mnemos.engine.spec.CimCompressionSpec;
import org.mnemos.engine.spec.CompressionSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.NoCompressionSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;
import org.mnemos.engine.util.ResidentMemory;

/**
 * Exemplar compression at equal bytes (CIM, Luo et al. 2023) on Split-MNIST / Split-Fashion-MNIST:
 * ResNet-32 (or its one-block-per-stage ResNet-8), 5 phases of 2 classes in natural order, a byte budget of 20 uint8 images (plus their
 * labels) per class of the run, shared by the seen classes; for each method and each variant
 * ({@code herding}: full images, {@code cam}, {@code cim}) the mean ± std over seeds of final and
 * average incremental accuracy, the exemplars stored per class at the end, bytes, the mean cost in
 * full-image units and wall time. To fit a CPU, the data sets are cut to the first
 * {@code trainPerClass} training and {@code testPerClass} test images of each class.
 */
final class CompressionBench {

    static final int IMAGES_PER_CLASS = 20;

    private CompressionBench() {}

    static void table(
            Path data,
            List<String> datasets,
            List<String> methods,
            List<String> variants,
            List<Long> seeds,
            int iterations,
            int trainPerClass,
            int testPerClass,
            String backbone,
            int batchSize,
            int compressionEpochs)
            throws IOException {
        Path root = Files.createTempDirectory("mnemos-compression");
        DatasetCatalog full = new DatasetCatalog(new DataRoots(List.of(data)));
        for (String dataset : datasets) {
            var splits = full.load(DatasetSpec.named(dataset));
            writeIdx(root.resolve(dataset), "train", firstPerClass(splits.train(), trainPerClass));
            writeIdx(root.resolve(dataset), "t10k", firstPerClass(splits.test(), testPerClass));
        }
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(root))));
        long bytes = 10L * IMAGES_PER_CLASS * (28 * 28 + CompressedImage.LABEL_BYTES);
        for (String dataset : datasets) {
            System.out.printf(
                    "## Compressed exemplars at equal bytes, Split-%s (%s, %d train / %d test images per class,"
                            + " %d iterations of %d per phase, FOSTER compression %d epochs, memory %d bytes = %d uint8 images per class,"
                            + " %d seeds)%n%n",
                    dataset.equals("mnist") ? "MNIST" : "Fashion-MNIST",
                    backbone,
                    trainPerClass,
                    testPerClass,
                    iterations,
                    batchSize,
                    compressionEpochs,
                    bytes,
                    IMAGES_PER_CLASS,
                    seeds.size());
            System.out.println(
                    "| method | exemplars | final accuracy | average incremental accuracy | exemplars per class (last phase)"
                            + " | FOSTER student final | stored bytes | mean cost (image units) | mean box | CIM meta s | wall time per run |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (String method : methods) {
                for (String variant : variants) {
                    double[] last = new double[seeds.size()];
                    double[] average = new double[seeds.size()];
                    double[] student = new double[seeds.size()];
                    double perClass = 0;
                    double stored = 0;
                    double cost = 0;
                    double box = 0;
                    double meta = 0;
                    double seconds = 0;
                    for (int s = 0; s < seeds.size(); s++) {
                        ExperimentSpec spec = spec(
                                dataset,
                                method,
                                variant,
                                seeds.get(s),
                                iterations,
                                bytes,
                                backbone,
                                batchSize,
                                compressionEpochs);
                        LocalRun.Result result = LocalRun.run(
                                engine,
                                spec,
                                root.resolve("runs")
                                        .resolve(dataset + "-" + method + "-" + variant + "-" + seeds.get(s)),
                                Device.cpu(),
                                p -> {});
                        last[s] = result.summary().lastAccuracy();
                        average[s] = result.summary().averageIncrementalAccuracy();
                        PhaseMetrics end = result.phases().get(result.phases().size() - 1);
                        StudentAccuracyReport studentReport = end.report(StudentAccuracyReport.class);
                        student[s] = studentReport == null ? Double.NaN : studentReport.accuracy();
                        MemoryMetrics memory = end.report(MemoryMetrics.class);
                        perClass += memory.exemplarsPerClass();
                        stored += memory.storedBytes();
                        cost += memory.meanCompressionRate();
                        box += memory.meanBoxFraction();
                        for (PhaseMetrics phase : result.phases()) {
                            CimMetrics cim = phase.report(CimMetrics.class);
                            meta += cim == null ? 0 : cim.seconds();
                        }
                        seconds += result.seconds();
                        System.err.printf(
                                "%s %s %s seed %d: final %.4f, average %.4f, student %.4f, %.1f exemplars per class, %.0f s,"
                                        + " resident %d MB%n",
                                dataset,
                                method,
                                variant,
                                seeds.get(s),
                                last[s],
                                average[s],
                                student[s],
                                memory.exemplarsPerClass(),
                                result.seconds(),
                                ResidentMemory.kilobytes() / 1024);
                    }
                    int n = seeds.size();
                    System.out.printf(
                            "| %s | %s | %s | %s | %.1f | %s | %.0f | %.3f | %.3f | %s | %.0f s |%n",
                            method,
                            variant,
                            BenchStats.meanStd(last, 3),
                            BenchStats.meanStd(average, 3),
                            perClass / n,
                            Double.isNaN(student[0]) ? "-" : BenchStats.meanStd(student, 3),
                            stored / n,
                            cost / n,
                            box / n,
                            variant.equals("cim") ? String.format("%.0f", meta / n) : "-",
                            seconds / n);
                }
            }
            System.out.println();
        }
    }

    static ExperimentSpec spec(
            String dataset,
            String method,
            String variant,
            long seed,
            int iterations,
            long bytes,
            String backbone,
            int batchSize,
            int compressionEpochs) {
        CompressionSpec compression = switch (variant) {
            case "herding" -> new NoCompressionSpec("none");
            case "cam" -> new CamCompressionSpec("cam", null, null);
            case "cim" ->
                new CimCompressionSpec(
                        "cim", null, null, null, null, null, null, null, null, null, null, null, 40, null, null, null);
            default ->
                throw new IllegalArgumentException("unknown variant " + variant + "; allowed: herding, cam, cim");
        };
        return new ExperimentSpec(
                "compression-" + dataset + "-" + method + "-" + variant,
                seed,
                null,
                DatasetSpec.named(dataset),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec(backbone, null, "linear"),
                FosterBench.options(method, compressionEpochs),
                new MemorySpec("herding", null, null, null, null, bytes, compression),
                new TrainingSpec(
                        null,
                        iterations,
                        batchSize,
                        new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null),
                        null,
                        false));
    }

    static ImageDataset firstPerClass(ImageDataset split, int perClass) {
        List<Integer> kept = new ArrayList<>();
        int[] counts = new int[split.numClasses()];
        for (int i = 0; i < split.size(); i++) {
            int label = split.labels()[i];
            if (counts[label] < perClass) {
                counts[label]++;
                kept.add(i);
            }
        }
        return split.subset(kept.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The official idx layout (uncompressed), which the catalog reads like the originals. */
    static void writeIdx(Path dir, String prefix, ImageDataset split) throws IOException {
        Files.createDirectories(dir);
        try (DataOutputStream out =
                new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")))) {
            out.writeInt(0x803);
            out.writeInt(split.size());
            out.writeInt(split.height());
            out.writeInt(split.width());
            out.write(split.pixels());
        }
        try (DataOutputStream out =
                new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
            out.writeInt(0x801);
            out.writeInt(split.size());
            for (int label : split.labels()) {
                out.writeByte(label);
            }
        }
    }
}
