package org.mnemos.bench;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.InversionMetrics;
import org.mnemos.engine.metrics.InversionPreconditions;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.experiment.SpecReader;

/**
 * Runs one experiment spec file (no presets) through the engine in this process, as a worker runs
 * its phases, and prints each phase's accuracy, the inversion's preconditions where it inverted, and
 * the wall time: the figures of an example's README line, under {@code /usr/bin/time -v}.
 * Arguments: the spec file, and optionally the data root (default {@code MNEMOS_DATA_ROOTS} or ../shared/data).
 */
public final class SpecRun {

    private SpecRun() {}

    public static void main(String[] args) throws IOException {
        ExperimentSpec spec = SpecReader.json().readValue(Files.readAllBytes(Path.of(args[0])), ExperimentSpec.class);
        Path data = Path.of(
                args.length > 1 ? args[1] : System.getenv().getOrDefault("MNEMOS_DATA_ROOTS", "../shared/data"));
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        Path work = Files.createTempDirectory("mnemos-spec-run");
        LocalRun.Result result = LocalRun.run(engine, spec, work, Device.cpu(), p -> {});
        // each phase's exact accuracy and the digest of the state it saved: what "bit-identical" is checked on
        for (PhaseMetrics phase : result.phases()) {
            System.out.printf(
                    "phase %d exact: accuracy %s, state sha256 %s%n",
                    phase.phase(), phase.accuracy(), stateDigest(work.resolve("phase-" + phase.phase())));
        }
        for (PhaseMetrics phase : result.phases()) {
            InversionMetrics inversion = phase.report(InversionMetrics.class);
            InversionPreconditions pre = inversion == null ? null : inversion.preconditions();
            System.out.printf(
                    "phase %d: accuracy %.3f%s%n",
                    phase.phase(),
                    phase.accuracy(),
                    pre == null
                            ? ""
                            : String.format(
                                    "; dreams' class shares %s (coverage %s), BatchNorm term %.3f -> %.3f, inversion %.0f s",
                                    Arrays.toString(Arrays.stream(pre.classShares())
                                            .map(x -> Math.round(x * 100) / 100.0)
                                            .toArray()),
                                    pre.coverageHolds() ? "holds" : "fails",
                                    pre.bnTermFirst(),
                                    pre.bnTermLast(),
                                    inversion.seconds()));
        }
        System.out.printf(
                "final %.3f, average incremental %.3f, %.0f s%n",
                result.summary().lastAccuracy(), result.summary().averageIncrementalAccuracy(), result.seconds());
    }

    /** sha256 over the files of a phase's state directory, in name order (names and contents). */
    static String stateDigest(Path stateDir) throws IOException {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (var walk = Files.walk(stateDir)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                sha.update(stateDir.relativize(file).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(file));
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
