package org.mnemos.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mean, sample std and paired Student-t intervals against values worked out by hand. */
class GroupStatisticsTest {

    @Test
    void describesTheNonNullValuesWithTheSampleStandardDeviation() {
        GroupViews.Stat stat = GroupStatistics.describe(Arrays.asList(0.5, null, 0.7, 0.9));
        assertThat(stat.n()).isEqualTo(3);
        assertThat(stat.mean()).isCloseTo(0.7, offset(1e-15));
        // squares 0.04 + 0 + 0.04 over n - 1 = 2
        assertThat(stat.std()).isCloseTo(0.2, offset(1e-15));
        assertThat(GroupStatistics.describe(List.of(0.4))).isEqualTo(new GroupViews.Stat(0.4, null, 1));
        assertThat(GroupStatistics.describe(Arrays.asList((Double) null)))
                .isEqualTo(new GroupViews.Stat(null, null, 0));
    }

    @Test
    void pairsBySeedOverTheSeedsBothArmsFinished() {
        // seed 4 has no baseline, seed 5 no value in the arm: the pairs are seeds 1, 2, 3
        List<Long> armSeeds = List.of(3L, 1L, 2L, 4L, 5L);
        List<Double> arm = Arrays.asList(0.80, 0.70, 0.75, 0.99, null);
        List<Long> baselineSeeds = List.of(1L, 2L, 3L, 5L);
        List<Double> baseline = List.of(0.60, 0.65, 0.70, 0.50);
        GroupViews.Difference d = GroupStatistics.pairedDifference(armSeeds, arm, baselineSeeds, baseline);
        assertThat(d.seeds()).containsExactly(3L, 1L, 2L);
        assertThat(d.n()).isEqualTo(3);
        // seed 3: 0.80 - 0.70, seed 1: 0.70 - 0.60, seed 2: 0.75 - 0.65, each 0.10 up to rounding
        assertThat(d.mean()).isCloseTo(0.10, offset(1e-15));
        assertThat(d.std()).isCloseTo(0.0, offset(1e-15));
        assertThat(d.low()).isCloseTo(0.10, offset(1e-14));
        assertThat(d.high()).isCloseTo(0.10, offset(1e-14));
    }

    @Test
    void theIntervalIsTheMeanPlusOrMinusTTimesTheStandardError() {
        // differences 1, 2, 3, 4, 5: mean 3, sample std √2.5, t(0.975, 4) = 2.7764451051977934
        GroupViews.Difference d = GroupStatistics.pairedDifference(
                List.of(1L, 2L, 3L, 4L, 5L),
                List.of(1.0, 2.0, 3.0, 4.0, 5.0),
                List.of(1L, 2L, 3L, 4L, 5L),
                List.of(0.0, 0.0, 0.0, 0.0, 0.0));
        double halfWidth = 2.7764451051977934 * Math.sqrt(2.5) / Math.sqrt(5);
        assertThat(d.mean()).isEqualTo(3.0);
        assertThat(d.std()).isCloseTo(Math.sqrt(2.5), offset(1e-15));
        assertThat(d.low()).isCloseTo(3 - halfWidth, offset(1e-12));
        assertThat(d.high()).isCloseTo(3 + halfWidth, offset(1e-12));
        // one pair has a mean but no spread and no interval; none has nothing
        GroupViews.Difference one =
                GroupStatistics.pairedDifference(List.of(7L), List.of(0.6), List.of(7L), List.of(0.5));
        assertThat(one.n()).isEqualTo(1);
        assertThat(one.mean()).isCloseTo(0.1, offset(1e-15));
        assertThat(one.low()).isNull();
        assertThat(GroupStatistics.pairedDifference(List.of(7L), List.of(0.6), List.of(8L), List.of(0.5))
                        .n())
                .isZero();
    }
}
