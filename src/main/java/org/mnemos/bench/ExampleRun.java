package org.mnemos.bench;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.MemoryMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.parts.method.foster.StudentAccuracyReport;
import org.mnemos.experiment.SpecReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one example spec file as the service reads it (presets and defaults resolved), in this
 * process, without the service around it: for timing an example and its peak memory under
 * {@code /usr/bin/time -v}, or to look into one run: prints each phase's accuracy (with its classifier, the
 * network's own, old and new classes', each earlier phase's, and a student's where the method trains one), its
 * memory, and the run's summary.
 */
final class ExampleRun {

    private ExampleRun() {}

    static void run(Path data, Path specFile) throws IOException {
        var spec = new SpecReader(new PresetCatalog(JsonMapper.builder().build()))
                .read(Files.readAllBytes(specFile))
                .spec();
        Path work = Files.createTempDirectory("mnemos-example");
        long start = System.nanoTime();
        LocalRun.Result result = LocalRun.run(
                new CilEngine(new DatasetCatalog(new DataRoots(List.of(data)))),
                spec,
                work,
                Device.cpu(),
                progress -> {});
        System.out.printf("## %s (%s)%n%n", spec.name(), specFile);
        for (PhaseMetrics phase : result.phases()) {
            MemoryMetrics memory = phase.report(MemoryMetrics.class);
            StudentAccuracyReport student = phase.report(StudentAccuracyReport.class);
            System.out.printf(
                    "phase %d: accuracy %.4f (%s; cnn %.4f%s, old %s, new %.4f, by phase %s), %d exemplars%s%n",
                    phase.phase(),
                    phase.accuracy(),
                    phase.classifier(),
                    phase.cnnAccuracy(),
                    student == null ? "" : String.format(", student %.4f", student.accuracy()),
                    phase.oldAccuracy() == null ? "-" : String.format("%.4f", phase.oldAccuracy()),
                    phase.newAccuracy(),
                    phase.accuracyRow().stream()
                            .map(a -> String.format("%.3f", a))
                            .collect(Collectors.joining(" ")),
                    phase.exemplarCount(),
                    memory == null
                            ? ""
                            : String.format(
                                    ", %.1f per class, mean box %.3f, %d stored bytes",
                                    memory.exemplarsPerClass(), memory.meanBoxFraction(), memory.storedBytes()));
        }
        System.out.printf(
                "final accuracy %.4f, average incremental %.4f, %.0f s%n",
                result.summary().lastAccuracy(),
                result.summary().averageIncrementalAccuracy(),
                (System.nanoTime() - start) / 1e9);
    }
}
