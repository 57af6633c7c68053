package org.mnemos.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BenchStatsTest {

    @Test
    void aPairedDifferenceHasStudentsIntervalAtNMinusOneDegreesOfFreedom() {
        // differences 1..5: mean 3, sample std √2.5, t(4) = 2.776 → half-width 2.776·√2.5/√5 = 1.9629
        BenchStats.PairedDifference d = BenchStats.paired(new double[] {2, 4, 6, 8, 10}, new double[] {1, 2, 3, 4, 5});
        assertThat(d.n()).isEqualTo(5);
        assertThat(d.mean()).isEqualTo(3.0);
        assertThat(d.halfWidth()).isCloseTo(2.776 * Math.sqrt(2.5) / Math.sqrt(5), within(1e-12));
        assertThat(d.format(3)).isEqualTo("+3.000 [+1.037, +4.963]");
    }

    @Test
    void onePairHasNoInterval() {
        BenchStats.PairedDifference d = BenchStats.paired(new double[] {0.5}, new double[] {0.75});
        assertThat(d.halfWidth()).isNaN();
        assertThat(d.format(4)).isEqualTo("-0.2500 (n = 1, no interval)");
    }

    @Test
    void unpairedValuesAreRefused() {
        assertThatThrownBy(() -> BenchStats.paired(new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tQuantilesFollowTheTableAndKeepThirtysBeyondIt() {
        assertThat(BenchStats.t975(1)).isEqualTo(12.706);
        assertThat(BenchStats.t975(9)).isEqualTo(2.262);
        assertThat(BenchStats.t975(30)).isEqualTo(2.042);
        assertThat(BenchStats.t975(200)).isEqualTo(2.042);
    }

    @Test
    void meanAndSampleStandardDeviation() {
        assertThat(BenchStats.meanStd(new double[] {0.1, 0.2, 0.3}, 3)).isEqualTo("0.200 ± 0.100");
        assertThat(BenchStats.meanStd(java.util.List.of(0.7), 4)).isEqualTo("0.7000 ± 0.0000");
    }
}
