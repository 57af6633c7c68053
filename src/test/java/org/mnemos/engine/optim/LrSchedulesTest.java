package org.mnemos.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ScheduleSpec;

class LrSchedulesTest {

    @Test
    void multistepDropsAtEachMilestone() {
        LrSchedule schedule = LrSchedules.create(new ScheduleSpec("multistep", List.of(4, 2), 0.1), 1.0, 10);
        assertThat(schedule.lr(0)).isEqualTo(1.0);
        assertThat(schedule.lr(1)).isEqualTo(1.0);
        assertThat(schedule.lr(2)).isCloseTo(0.1, within(1e-15));
        assertThat(schedule.lr(3)).isCloseTo(0.1, within(1e-15));
        assertThat(schedule.lr(4)).isCloseTo(0.01, within(1e-15));
        assertThat(schedule.lr(9)).isCloseTo(0.01, within(1e-15));
    }

    @Test
    void multistepGammaDefaultsToTorchsPointOne() {
        LrSchedule schedule = LrSchedules.create(new ScheduleSpec("multistep", List.of(3), null), 0.5, 10);
        assertThat(schedule.lr(3)).isCloseTo(0.05, within(1e-15));
    }

    @Test
    void cosineAnnealsToZeroOverTheRun() {
        LrSchedule schedule = LrSchedules.create(new ScheduleSpec("cosine", null, null), 0.1, 10);
        assertThat(schedule.lr(0)).isEqualTo(0.1);
        assertThat(schedule.lr(5)).isCloseTo(0.05, within(1e-15));
        assertThat(schedule.lr(10)).isCloseTo(0.0, within(1e-15));
        // (1 + cos(π/10)) / 2 · 0.1
        assertThat(schedule.lr(1)).isCloseTo(0.0975528258147577, within(1e-15));
    }

    @Test
    void constantAndMissingSpecKeepTheBaseRate() {
        assertThat(LrSchedules.create(null, 0.01, 5).lr(4)).isEqualTo(0.01);
        assertThat(LrSchedules.create(new ScheduleSpec("constant", null, null), 0.01, 5)
                        .lr(100))
                .isEqualTo(0.01);
    }

    @Test
    void invalidSpecsNameTheirField() {
        assertThatThrownBy(() -> LrSchedules.create(new ScheduleSpec("step", null, null), 0.1, 5))
                .isInstanceOfSatisfying(
                        SpecException.class, e -> assertThat(e.field()).isEqualTo("training.schedule.name"));
        assertThatThrownBy(() -> LrSchedules.create(new ScheduleSpec("multistep", List.of(), null), 0.1, 5))
                .isInstanceOfSatisfying(
                        SpecException.class, e -> assertThat(e.field()).isEqualTo("training.schedule.milestones"));
    }
}
