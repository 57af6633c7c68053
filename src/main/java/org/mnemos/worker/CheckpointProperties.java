package org.mnemos.worker;

import java.time.Duration;
import org.mnemos.engine.MidPhaseCheckpoints.CheckpointInterval;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How often a running phase saves a mid-phase checkpoint into the artifact store, from which a phase
 * released on shutdown or taken over after a crash resumes (docs/deployment.md, "Scaling out").
 *
 * @param every the time between two checkpoints (0 for no clock)
 * @param steps the optimizer steps between two checkpoints (0 for no step count); with both set,
 *     whichever comes first; with both 0, phases take no checkpoint and restart when interrupted
 */
@ConfigurationProperties("mnemos.worker.checkpoint")
public record CheckpointProperties(
        @DefaultValue("5m") Duration every,
        @DefaultValue("0") long steps) {

    @ConstructorBinding
    public CheckpointProperties {
        if (every == null || every.isNegative()) {
            throw new IllegalArgumentException("mnemos.worker.checkpoint.every must be a duration >= 0 (e.g. 5m, 90s)");
        }
        if (!every.isZero() && every.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "mnemos.worker.checkpoint.every must be 0 (no clock) or at least 1s, got " + every);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("mnemos.worker.checkpoint.steps must be >= 0, got " + steps);
        }
    }

    CheckpointInterval interval() {
        return new CheckpointInterval(steps, every);
    }
}
