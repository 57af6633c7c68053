package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.MidPhaseCheckpoints.CheckpointInterval;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class CheckpointPropertiesTest {

    private static CheckpointProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("mnemos.worker.checkpoint", Bindable.of(CheckpointProperties.class));
    }

    @Test
    void defaultsToEveryFiveMinutesWithoutAStepCount() {
        CheckpointProperties defaults = bind(Map.of());
        assertThat(defaults.every()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.steps()).isZero();
        assertThat(defaults.interval().due(1_000_000, Duration.ofMinutes(4).toNanos()))
                .isFalse();
        assertThat(defaults.interval().due(1, Duration.ofMinutes(5).toNanos())).isTrue();
    }

    @Test
    void aStepCountAndADurationTakeACheckpointAtWhicheverComesFirst() {
        CheckpointInterval interval = bind(Map.of(
                        "mnemos.worker.checkpoint.every", "90s", "mnemos.worker.checkpoint.steps", "500"))
                .interval();
        assertThat(interval.due(499, Duration.ofSeconds(89).toNanos())).isFalse();
        assertThat(interval.due(500, 0)).isTrue();
        assertThat(interval.due(1, Duration.ofSeconds(90).toNanos())).isTrue();
        assertThat(bind(Map.of("mnemos.worker.checkpoint.every", "0", "mnemos.worker.checkpoint.steps", "0"))
                        .interval()
                        .isNever())
                .isTrue();
    }

    @Test
    void refusesNegativeValuesAndSubSecondClocksNamingTheProperty() {
        assertThatThrownBy(() -> bind(Map.of("mnemos.worker.checkpoint.steps", "-1")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("mnemos.worker.checkpoint.steps must be >= 0");
        assertThatThrownBy(() -> bind(Map.of("mnemos.worker.checkpoint.every", "-5s")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("mnemos.worker.checkpoint.every");
        assertThatThrownBy(() -> bind(Map.of("mnemos.worker.checkpoint.every", "200ms")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("at least 1s");
    }
}
