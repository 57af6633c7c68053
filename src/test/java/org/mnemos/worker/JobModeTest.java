package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The job mode's decisions on a settable clock: a worker with max-phases N trains exactly N phases,
 * hands later ones back and ends only when none is in its hands; an idle worker ends after
 * exit-when-idle, counted from when it started fetching or its last execution, never while one runs; a worker without either never ends by itself.
 */
class JobModeTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger pauses = new AtomicInteger();

    private static WorkerProperties worker(int maxPhases, Duration exitWhenIdle) {
        return new WorkerProperties(true, 1, "cpu", 10, 6, 3, 2, 10, null, null, "default", maxPhases, exitWhenIdle);
    }

    private JobMode jobMode(int maxPhases, Duration exitWhenIdle) {
        return new JobMode(worker(maxPhases, exitWhenIdle), now::get, pauses::incrementAndGet);
    }

    @Test
    void aWorkerWithMaxPhasesTwoTrainsTwoHandsTheThirdBackAndEndsOnceBothAreDone() {
        JobMode job = jobMode(2, null);

        assertThat(job.enter()).isTrue();
        assertThat(job.claimPhase()).isTrue();
        assertThat(pauses).as("fetching goes on while the budget lasts").hasValue(0);
        assertThat(job.enter()).isTrue();
        assertThat(job.claimPhase()).isTrue();
        assertThat(pauses).as("the last phase of the budget stops fetching").hasValue(1);
        assertThat(job.exitNow()).as("two phases in its hands").isEmpty();

        // a third execution fetched before the pause took effect goes back untrained
        assertThat(job.enter()).isTrue();
        assertThat(job.claimPhase()).isFalse();
        job.leave();
        job.leave();
        assertThat(job.exitNow()).as("one phase still runs").isEmpty();
        job.leave();

        assertThat(job.exitNow())
                .hasValueSatisfying(reason -> assertThat(reason).contains("2 phase(s)", "mnemos.worker.max-phases"));
        assertThat(job.phasesRun()).isEqualTo(2);
        assertThat(job.enter())
                .as("an ending worker hands every execution back")
                .isFalse();
        assertThat(job.exitNow()).as("the decision is taken once").isEmpty();
        assertThat(pauses).as("fetching stopped once").hasValue(1);
    }

    @Test
    void anIdleWorkerEndsAfterExitWhenIdleCountedFromItsLastExecutionNeverDuringOne() {
        JobMode job = jobMode(0, Duration.ofSeconds(30));
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        job.fetchingStarted();
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(job.exitNow())
                .as("29 s after it started fetching, however long its start-up took")
                .isEmpty();
        assertThat(pauses).hasValue(0);

        assertThat(job.enter()).isTrue();
        assertThat(job.claimPhase()).as("no phase budget").isTrue();
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(job.exitNow())
                .as("a phase that trains for 10 min is not idleness")
                .isEmpty();
        job.leave();
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(job.exitNow()).as("29 s after the phase ended").isEmpty();
        now.addAndGet(Duration.ofSeconds(1).toNanos());

        assertThat(job.exitNow())
                .hasValueSatisfying(reason -> assertThat(reason).contains("PT30S", "mnemos.worker.exit-when-idle"));
        assertThat(job.enter()).isFalse();
        assertThat(pauses).as("an ending worker fetches no more").hasValue(1);
    }

    @Test
    void withoutEitherSettingTheWorkerNeverEndsByItself() {
        assertThat(JobMode.enabled(worker(0, null))).isFalse();
        assertThat(JobMode.enabled(worker(1, null))).isTrue();
        assertThat(JobMode.enabled(worker(0, Duration.ofMinutes(5)))).isTrue();
        JobMode job = jobMode(0, null);
        for (int i = 0; i < 100; i++) {
            assertThat(job.enter()).isTrue();
            assertThat(job.claimPhase()).isTrue();
            job.leave();
        }
        now.addAndGet(Duration.ofDays(30).toNanos());
        assertThat(job.exitNow()).isEmpty();
    }

    @Test
    void invalidSettingsStopTheWorkerWithTheProperty() {
        assertThatThrownBy(() -> worker(-1, null)).hasMessageContaining("mnemos.worker.max-phases must be >= 0");
        assertThatThrownBy(() -> worker(0, Duration.ZERO))
                .hasMessageContaining("mnemos.worker.exit-when-idle must be a positive duration");
        assertThatThrownBy(() -> worker(0, Duration.ofSeconds(-5)))
                .hasMessageContaining("mnemos.worker.exit-when-idle");
    }
}
