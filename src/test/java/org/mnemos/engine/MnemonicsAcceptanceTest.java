package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.memory.ExemplarKind;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.metrics.MnemonicsMetrics;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.phase.PhaseState;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MnemonicsSpec;

/**
 * The bilevel mode's guards, end to end on small synthetic runs: a stage whose held-out outer loss
 * rises leaves the herding picks in the memory (and says so), a stage whose held-out loss falls keeps
 * its exemplars, and no exemplar value moves further from its herding start than {@code maxChange}
 * grey levels.
 */
class MnemonicsAcceptanceTest {

    @TempDir
    Path dir;

    private List<PhaseMetrics> run(MnemonicsSpec options, String name) {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        return LocalRun.run(
                        engine,
                        PhaseStateTest.spec("icarl", new MemorySpec("mnemonics", 5, null, null, options)),
                        dir.resolve(name),
                        Device.cpu(),
                        p -> {})
                .phases();
    }

    @Test
    void aStageWhoseHeldOutLossRisesKeepsTheHerdingPicksAndOneWhoseLossFallsKeepsItsExemplars() {
        // a wild outer step (Adam at lr 50, values free to reach the range's ends) wrecks the exemplars
        List<PhaseMetrics> wild =
                run(new MnemonicsSpec("bilevel", null, null, 50.0, 3, null, null, 255.0, 0.3), "wild");
        List<PhaseMetrics> tame =
                run(new MnemonicsSpec("bilevel", null, null, 0.001, 5, null, null, null, 0.3), "tame");
        ImageDataset train = new DatasetCatalog(new DataRoots(List.of(dir)))
                .load(PhaseStateTest.spec("icarl", null).dataset())
                .train();
        int rejected = 0;
        int accepted = 0;
        for (List<PhaseMetrics> metrics : List.of(wild, tame)) {
            String name = metrics == wild ? "wild" : "tame";
            for (PhaseMetrics phase : metrics) {
                MnemonicsMetrics report = phase.report(MnemonicsMetrics.class);
                assertThat(report.heldOutLossBefore()).isNotNull();
                assertThat(report.accepted()).isEqualTo(report.heldOutLossAfter() < report.heldOutLossBefore());
                assertThat(report.meanAbsoluteChange())
                        .as("the stage itself ran")
                        .isPositive();
                ExemplarSet saved = PhaseState.readMemory(dir.resolve(name).resolve("phase-" + phase.phase()));
                int imageBytes = saved.imageBytes();
                int optimised = 0;
                int equalToHerding = 0;
                for (int i = saved.size() - report.adjustedExemplars(); i < saved.size(); i++) {
                    boolean same = true;
                    int source = saved.sourceIndices()[i];
                    for (int p = 0; p < imageBytes; p++) {
                        same &= saved.values()[i * imageBytes + p] == (train.pixels()[source * imageBytes + p] & 0xff);
                    }
                    equalToHerding += same ? 1 : 0;
                    optimised += saved.kinds()[i] == ExemplarKind.OPTIMIZED ? 1 : 0;
                }
                if (report.accepted()) {
                    accepted++;
                    assertThat(optimised).isEqualTo(report.adjustedExemplars());
                    assertThat(equalToHerding).isLessThan(report.adjustedExemplars());
                } else {
                    rejected++;
                    assertThat(optimised)
                            .as("a rejected stage leaves no optimised exemplar")
                            .isZero();
                    assertThat(equalToHerding)
                            .as("the herding picks, value for value")
                            .isEqualTo(report.adjustedExemplars());
                }
            }
        }
        assertThat(rejected).as("the wild stages are rejected").isPositive();
        assertThat(accepted).as("the tame stages are kept").isPositive();
    }

    @Test
    void noExemplarValueMovesFurtherThanMaxChangeGreyLevels() {
        List<PhaseMetrics> metrics =
                run(new MnemonicsSpec("bilevel", null, null, 0.5, 2, null, null, 3.0, null), "bounded");
        for (PhaseMetrics phase : metrics) {
            MnemonicsMetrics report = phase.report(MnemonicsMetrics.class);
            assertThat(report.maxAbsoluteChange()).as("bounded").isLessThanOrEqualTo(3.0 + 1e-3);
            assertThat(report.maxAbsoluteChange())
                    .as("and the bound binds at this lr")
                    .isGreaterThan(2.9);
        }
    }
}
