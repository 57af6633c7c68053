package org.mnemos.worker;

import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.mnemos.engine.TrainingListener;
import org.mnemos.engine.TrainingProgress;
import org.mnemos.experiment.ExperimentViews;

/**
 * Turns the engine's per-step progress into the run's progress: at most one update per interval
 * (and always the last step), with the fraction over all phases and an ETA from this phase's pace.
 */
final class ProgressReporter implements TrainingListener {

    interface Sink {
        void accept(UUID experimentId, ExperimentViews.Progress progress);
    }

    private final UUID experimentId;
    private final int phase;
    private final int phases;
    private final Sink sink;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final long startNanos;
    private long lastReportNanos;
    private boolean reported;

    ProgressReporter(UUID experimentId, int phase, int phases, Sink sink, Duration interval, LongSupplier nanoClock) {
        this.experimentId = experimentId;
        this.phase = phase;
        this.phases = phases;
        this.sink = sink;
        this.nanoClock = nanoClock;
        this.intervalNanos = interval.toNanos();
        this.startNanos = nanoClock.getAsLong();
    }

    @Override
    public void onProgress(TrainingProgress progress) {
        long now = nanoClock.getAsLong();
        boolean last = progress.totalSteps() > 0 && progress.step() >= progress.totalSteps();
        if (reported && !last && now - lastReportNanos < intervalNanos) {
            return;
        }
        reported = true;
        lastReportNanos = now;
        sink.accept(experimentId, view(progress, now));
    }

    ExperimentViews.Progress view(TrainingProgress progress, long now) {
        double phaseFraction = progress.fraction();
        double overall = (phase + phaseFraction) / phases;
        Long eta = null;
        if (phaseFraction > 0) {
            double elapsedSeconds = (now - startNanos) / 1e9;
            double secondsPerPhase = elapsedSeconds / phaseFraction;
            eta = Math.round(secondsPerPhase * (1 - phaseFraction) + secondsPerPhase * (phases - phase - 1));
        }
        return new ExperimentViews.Progress(
                phase,
                phases,
                progress.stage(),
                progress.epoch(),
                progress.epochs(),
                progress.step(),
                progress.totalSteps(),
                overall,
                progress.imagesPerSecond(),
                eta,
                Double.isFinite(progress.loss()) ? progress.loss() : null);
    }
}
