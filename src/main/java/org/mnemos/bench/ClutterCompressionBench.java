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
import java.util.function.ToDoubleFunction;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.ClutteredFashion;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
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
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;
import org.mnemos.engine.util.ResidentMemory;

/**
 * Exemplar compression at equal bytes where CIM's mechanism applies (issue 22): the
 * {@code fashion-clutter} stand-in (128×128 stored, 64×64 input), ResNet-8, B0 with 5 phases of 2
 * classes, an exemplar-starved byte budget of {@link #IMAGES_PER_CLASS} stored images (plus labels)
 * per class of the run, shared by the seen classes. For each method, the variants {@code herding}
 * (whole images), {@code cam} and {@code cim} run on the same seeds; the table gives each variant's
 * mean ± std and the paired differences cim − herding and cim − cam with their 95 % t-intervals.
 */
final class ClutterCompressionBench {

    static final int IMAGES_PER_CLASS = 5;
    static final int CLASSES = 10;

    private ClutterCompressionBench() {}

    record Run(
            double last,
            double average,
            double perClass,
            double box,
            double bytes,
            int metaSteps,
            int regenerations,
            long compressedImages,
            double student,
            double seconds) {}

    static void table(
            Path data,
            List<String> methods,
            List<String> variants,
            List<Long> seeds,
            int epochs,
            int trainPerClass,
            int testPerClass,
            int batchSize,
            int compressionEpochs,
            Integer metaItersPerPhase)
            throws IOException {
        Path root = Files.createTempDirectory("mnemos-clutter");
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        long imageBytes = (long) ClutteredFashion.STORED_SIDE * ClutteredFashion.STORED_SIDE;
        long bytes = CLASSES * IMAGES_PER_CLASS * (imageBytes + CompressedImage.LABEL_BYTES);
        System.out.printf(
                "## Compressed exemplars at equal bytes on fashion-clutter (128x128 stored, 64x64 input; %d train / %d test"
                        + " images per class; resnet8; B0, 5 phases of 2; %d epochs of %d per phase, SGD 0.05 cosine, augmented;"
                        + " FOSTER compression %d epochs; memory %d bytes = %d stored images per class; cim: %s meta-iterations per phase,"
                        + " regeneration every round(0.2 E) epochs; %d paired seeds %s)%n%n",
                trainPerClass,
                testPerClass,
                epochs,
                batchSize,
                compressionEpochs,
                bytes,
                IMAGES_PER_CLASS,
                metaItersPerPhase == null
                        ? "the authors' int(0.5 #new) per epoch of"
                        : String.valueOf(metaItersPerPhase),
                seeds.size(),
                seeds);
        for (String method : methods) {
            Map<String, List<Run>> runs = new LinkedHashMap<>();
            variants.forEach(variant -> runs.put(variant, new ArrayList<>()));
            // seed by seed, every variant of a seed together: a cut-short bench still leaves complete pairs
            for (long seed : seeds) {
                for (String variant : variants) {
                    ExperimentSpec spec = spec(
                            method,
                            variant,
                            seed,
                            epochs,
                            trainPerClass,
                            testPerClass,
                            batchSize,
                            compressionEpochs,
                            bytes,
                            metaItersPerPhase);
                    LocalRun.Result result = LocalRun.run(
                            engine, spec, root.resolve(method + "-" + variant + "-" + seed), Device.cpu(), p -> {});
                    PhaseMetrics end = result.phases().get(result.phases().size() - 1);
                    MemoryMetrics memory = end.report(MemoryMetrics.class);
                    StudentAccuracyReport student = end.report(StudentAccuracyReport.class);
                    int metaSteps = 0;
                    int regenerations = 0;
                    long compressed = 0;
                    for (PhaseMetrics phase : result.phases()) {
                        CimMetrics cim = phase.report(CimMetrics.class);
                        if (cim != null) {
                            metaSteps += cim.metaSteps();
                            regenerations += cim.boxRegenerations();
                            compressed += cim.compressedTrainingImages();
                        }
                    }
                    Run run = new Run(
                            result.summary().lastAccuracy(),
                            result.summary().averageIncrementalAccuracy(),
                            memory.exemplarsPerClass(),
                            memory.meanBoxFraction(),
                            memory.storedBytes(),
                            metaSteps,
                            regenerations,
                            compressed,
                            student == null ? Double.NaN : student.accuracy(),
                            result.seconds());
                    runs.get(variant).add(run);
                    System.err.printf(
                            "RUN %s %s seed %d: final %.4f, average %.4f, %.1f exemplars per class, box %.3f, %d meta steps,"
                                    + " %d regenerations, %d compressed training images, %.0f s, resident %d MB,"
                                    + " per phase %s%n",
                            method,
                            variant,
                            seed,
                            run.last(),
                            run.average(),
                            run.perClass(),
                            run.box(),
                            metaSteps,
                            regenerations,
                            compressed,
                            run.seconds(),
                            ResidentMemory.kilobytes() / 1024,
                            perPhase(result.phases()));
                }
            }
            System.out.println(
                    "| method | exemplars | final accuracy | average incremental | exemplars per class (end) | mean box"
                            + " | stored bytes | meta-steps per run | box regenerations per run | new-class images fed compressed | FOSTER student final"
                            + " | wall time per run |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (var entry : runs.entrySet()) {
                List<Run> r = entry.getValue();
                System.out.printf(
                        "| %s | %s | %s | %s | %.1f | %.3f | %.0f | %.0f | %.1f | %.0f | %s | %.0f s |%n",
                        method,
                        entry.getKey(),
                        BenchStats.meanStd(r.stream().mapToDouble(Run::last).toArray(), 3),
                        BenchStats.meanStd(r.stream().mapToDouble(Run::average).toArray(), 3),
                        BenchStats.mean(r.stream().mapToDouble(Run::perClass).toArray()),
                        BenchStats.mean(r.stream().mapToDouble(Run::box).toArray()),
                        BenchStats.mean(r.stream().mapToDouble(Run::bytes).toArray()),
                        BenchStats.mean(r.stream().mapToDouble(Run::metaSteps).toArray()),
                        BenchStats.mean(
                                r.stream().mapToDouble(Run::regenerations).toArray()),
                        BenchStats.mean(
                                r.stream().mapToDouble(Run::compressedImages).toArray()),
                        Double.isNaN(r.get(0).student())
                                ? "-"
                                : BenchStats.meanStd(
                                        r.stream().mapToDouble(Run::student).toArray(), 3),
                        BenchStats.mean(r.stream().mapToDouble(Run::seconds).toArray()));
            }
            System.out.println();
            if (runs.containsKey("cim")) {
                System.out.println("| " + method + ": paired difference (n = " + seeds.size()
                        + ") | final accuracy, mean [95 % t-interval]"
                        + " | average incremental, mean [95 % t-interval] |");
                System.out.println("|---|---:|---:|");
                for (String baseline : List.of("herding", "cam")) {
                    if (runs.containsKey(baseline)) {
                        System.out.printf(
                                "| cim − %s | %s | %s |%n",
                                baseline,
                                pairedInterval(runs.get("cim"), runs.get(baseline), Run::last),
                                pairedInterval(runs.get("cim"), runs.get(baseline), Run::average));
                    }
                }
                System.out.println();
            }
        }
    }

    static ExperimentSpec spec(
            String method,
            String variant,
            long seed,
            int epochs,
            int trainPerClass,
            int testPerClass,
            int batchSize,
            int compressionEpochs,
            long bytes,
            Integer metaItersPerPhase) {
        CompressionSpec compression = switch (variant) {
            case "herding" -> new NoCompressionSpec("none");
            case "cam" -> new CamCompressionSpec("cam", null, null);
            case "cim" ->
                new CimCompressionSpec(
                        "cim",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        metaItersPerPhase);
            default ->
                throw new IllegalArgumentException("unknown variant " + variant + "; allowed: herding, cam, cim");
        };
        return new ExperimentSpec(
                "clutter-" + method + "-" + variant,
                seed,
                null,
                new DatasetSpec(ClutteredFashion.NAME, null, null, null, trainPerClass, testPerClass, null, null),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("resnet8", null, "linear"),
                FosterBench.options(method, compressionEpochs),
                new MemorySpec("herding", null, null, null, null, bytes, compression),
                new TrainingSpec(
                        epochs,
                        null,
                        batchSize,
                        new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null),
                        new ScheduleSpec("cosine", null, null),
                        true));
    }

    /** Mean of the paired differences a − b and its 95 % t-interval (t with n − 1 degrees of freedom). */
    static String pairedInterval(List<Run> a, List<Run> b, ToDoubleFunction<Run> value) {
        BenchStats.PairedDifference d = BenchStats.paired(
                a.stream().mapToDouble(value).toArray(),
                b.stream().mapToDouble(value).toArray());
        return d.n() < 2 ? String.format(Locale.ROOT, "%+.3f [n = 1]", d.mean()) : d.format(3);
    }

    /** Each phase's accuracy, and FOSTER's student's in brackets where the phase has one. */
    private static String perPhase(List<PhaseMetrics> phases) {
        StringBuilder line = new StringBuilder();
        for (PhaseMetrics phase : phases) {
            StudentAccuracyReport student = phase.report(StudentAccuracyReport.class);
            line.append(line.isEmpty() ? "" : " ").append(String.format("%.3f", phase.accuracy()));
            if (student != null) {
                line.append(String.format(" [%.3f]", student.accuracy()));
            }
        }
        return line.toString();
    }
}
