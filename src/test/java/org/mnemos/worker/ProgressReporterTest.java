package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.TrainingProgress;
import org.mnemos.experiment.ExperimentViews;

class ProgressReporterTest {

    private final AtomicLong nanos = new AtomicLong();
    private final List<ExperimentViews.Progress> reported = new ArrayList<>();

    private ProgressReporter reporter(int phase, int phases) {
        return new ProgressReporter(
                UUID.randomUUID(),
                phase,
                phases,
                (id, progress) -> reported.add(progress),
                Duration.ofSeconds(1),
                nanos::get);
    }

    private static TrainingProgress step(long step, long total) {
        return new TrainingProgress(1, "train", 1, 2, step, total, 0.3, 250);
    }

    @Test
    void reportsAtMostOncePerIntervalButAlwaysTheLastStep() {
        ProgressReporter reporter = reporter(1, 4);
        reporter.onProgress(step(1, 100));
        nanos.addAndGet(Duration.ofMillis(400).toNanos());
        reporter.onProgress(step(2, 100));
        nanos.addAndGet(Duration.ofMillis(700).toNanos());
        reporter.onProgress(step(3, 100));
        reporter.onProgress(step(100, 100));
        assertThat(reported).extracting(ExperimentViews.Progress::step).containsExactly(1L, 3L, 100L);
    }

    @Test
    void fractionCoversTheWholeRunAndEtaFollowsThePhasesPace() {
        ProgressReporter reporter = reporter(1, 4);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        reporter.onProgress(step(50, 100));
        ExperimentViews.Progress progress = reported.get(0);
        assertThat(progress.fraction()).isEqualTo(1.5 / 4);
        // 10 s for half a phase: 10 s left in this one, 20 s for each of the two after it
        assertThat(progress.etaSeconds()).isEqualTo(50L);
        assertThat(progress.phase()).isEqualTo(1);
        assertThat(progress.phases()).isEqualTo(4);
        assertThat(progress.imagesPerSecond()).isEqualTo(250.0);
    }
}
