package org.mnemos.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.MnemonicsMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.support.SharedData;

/**
 * The mnemonics bench's shared phase 0 changes nothing: on its protocol cut to 20 training and 10
 * test images per class and one epoch per phase, an arm run through {@link SharedPhaseZero} (phase 0
 * resumed from the herding spec's training) ends with the same accuracy in every phase and the same
 * state files (SHA-256 of each phase's directory) as its spec run from scratch with {@link LocalRun}.
 * Herding is the arm the table is paired on; bilevel with scaled kernels is the arm whose phase 0
 * draws after its training (the mnemonics stage's held-out split, shuffles and augmentation) and
 * whose spec differs in both of the parts that may differ. {@link SharedPhaseZero#run} itself fails
 * when phase 0 did not resume at the end of the shared training, so a pass means no arm retrained.
 */
class SharedPhaseZeroTest {

    private static final long SEED = 3;

    @TempDir
    Path dir;

    @Test
    void anArmThroughTheSharedPhaseZeroEqualsItsRunFromScratch() throws IOException {
        CilEngine engine = smallFashionMnist();
        SharedPhaseZero shared =
                SharedPhaseZero.train(engine, MnemonicsBench.spec("icarl", "herding", SEED, 1), dir.resolve("phase0"));
        for (String arm : List.of("herding", "bilevel+ss")) {
            ExperimentSpec spec = MnemonicsBench.spec("icarl", arm, SEED, 1);
            LocalRun.Result scratch = LocalRun.run(engine, spec, dir.resolve("scratch-" + arm), Device.cpu(), p -> {});
            LocalRun.Result sharing = shared.run(engine, spec, dir.resolve("shared-" + arm));
            assertThat(sharing.phases()).hasSize(6);
            for (int phase = 0; phase < 6; phase++) {
                PhaseMetrics expected = scratch.phases().get(phase);
                PhaseMetrics actual = sharing.phases().get(phase);
                String what = arm + " phase " + phase;
                assertThat(actual.accuracy()).as(what).isEqualTo(expected.accuracy());
                assertThat(digest(dir.resolve("shared-" + arm).resolve("phase-" + phase)))
                        .as(what + " state")
                        .isEqualTo(digest(dir.resolve("scratch-" + arm).resolve("phase-" + phase)));
                MnemonicsMetrics stage = expected.report(MnemonicsMetrics.class);
                if (arm.startsWith("bilevel")) {
                    assertThat(stage).as(what + " mnemonics stage").isNotNull();
                    MnemonicsMetrics resumed = actual.report(MnemonicsMetrics.class);
                    assertThat(resumed.heldOutLossBefore()).as(what).isEqualTo(stage.heldOutLossBefore());
                    assertThat(resumed.heldOutLossAfter()).as(what).isEqualTo(stage.heldOutLossAfter());
                    assertThat(resumed.outerLossAfter()).as(what).isEqualTo(stage.outerLossAfter());
                    assertThat(resumed.accepted()).as(what).isEqualTo(stage.accepted());
                }
            }
        }
    }

    /**
     * The AANets bench shares phase 0 otherwise: it runs it once (a single network) and continues
     * each arm after it with {@link LocalRun#continueAfter}. Phase 0 is the same for every arm
     * because AANets starts at phase 1, so an arm continued after it equals its run from scratch.
     */
    @Test
    void anAanetsArmContinuedAfterTheSharedPhaseZeroEqualsItsRunFromScratch() throws IOException {
        CilEngine engine = smallFashionMnist();
        ExperimentSpec single = AanetsBench.spec("lucir", SEED, null, 1);
        ExperimentSpec learned =
                AanetsBench.spec("lucir", SEED, new AanetsSpec(AanetsSpec.NAME, null, null, null, null), 1);
        PhaseOutcome phase0 = engine.runPhase(
                engine.plan(single),
                0,
                null,
                Files.createDirectories(dir.resolve("phase0")),
                Device.cpu(),
                p -> {},
                CancellationSignal.NEVER);
        LocalRun.Result scratch = LocalRun.run(engine, learned, dir.resolve("scratch"), Device.cpu(), p -> {});
        LocalRun.Result continued =
                LocalRun.continueAfter(engine, learned, phase0, dir.resolve("continued"), Device.cpu(), p -> {});
        assertThat(continued.phases()).hasSize(scratch.phases().size()).hasSizeGreaterThan(2);
        assertThat(continued.phases().get(0)).isSameAs(phase0.metrics());
        assertThat(Files.exists(dir.resolve("continued").resolve("phase-0"))).isFalse();
        for (int phase = 0; phase < scratch.phases().size(); phase++) {
            assertThat(continued.phases().get(phase).accuracy())
                    .as("phase " + phase)
                    .isEqualTo(scratch.phases().get(phase).accuracy());
        }
        for (int phase = 1; phase < scratch.phases().size(); phase++) {
            assertThat(digest(dir.resolve("continued").resolve("phase-" + phase)))
                    .as("phase " + phase + " state")
                    .isEqualTo(digest(dir.resolve("scratch").resolve("phase-" + phase)));
        }
    }

    @Test
    void anArmWhosePhaseZeroTrainsOtherwiseIsRefused() throws IOException {
        CilEngine engine = smallFashionMnist();
        SharedPhaseZero shared =
                SharedPhaseZero.train(engine, MnemonicsBench.spec("icarl", "herding", SEED, 1), dir.resolve("phase0"));
        assertThatThrownBy(() -> shared.run(
                        engine, MnemonicsBench.spec("icarl", "herding", SEED + 1, 1), dir.resolve("other-seed")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot share the training");
    }

    /** Fashion-MNIST cut to its first 20 training and 10 test images of each class. */
    private CilEngine smallFashionMnist() throws IOException {
        var splits =
                new DatasetCatalog(new DataRoots(List.of(SharedData.root()))).load(DatasetSpec.named("fashion-mnist"));
        Path root = dir.resolve("data");
        CompressionBench.writeIdx(
                root.resolve("fashion-mnist"), "train", CompressionBench.firstPerClass(splits.train(), 20));
        CompressionBench.writeIdx(
                root.resolve("fashion-mnist"), "t10k", CompressionBench.firstPerClass(splits.test(), 10));
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(root))));
    }

    private static String digest(Path stateDir) {
        try (Stream<Path> files = Files.walk(stateDir)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<Path> regular = files.filter(Files::isRegularFile).sorted().toList();
            assertThat(regular).as("files of " + stateDir).isNotEmpty();
            for (Path file : regular) {
                sha.update(stateDir.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(file));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
