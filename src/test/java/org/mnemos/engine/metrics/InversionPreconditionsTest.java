package org.mnemos.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The coverage rule: every class dreamed, none above twice its fair share (40 % of 5 classes). */
class InversionPreconditionsTest {

    @Test
    void coverageHoldsOnlyWithEveryClassAndNoneAboveTwiceItsShare() {
        InversionPreconditions even = InversionPreconditions.of(0.99, new int[] {50, 52, 51, 50, 53}, 2.7, 0.2);
        assertThat(even.coverageHolds()).isTrue();
        assertThat(even.dreams()).isEqualTo(256);
        assertThat(even.largestShare()).isCloseTo(53 / 256.0, within(1e-12));
        assertThat(even.bnTermFell()).isTrue();

        InversionPreconditions missing = InversionPreconditions.of(0.99, new int[] {64, 64, 64, 64, 0}, 2.7, 3.0);
        assertThat(missing.coverageHolds()).isFalse();
        assertThat(missing.classesDreamed()).isEqualTo(4);
        assertThat(missing.bnTermFell()).isFalse();

        // 103 of 256 is 40.2 %: one class crowds the others out
        InversionPreconditions crowded = InversionPreconditions.of(0.99, new int[] {103, 39, 38, 38, 38}, 2.7, 0.2);
        assertThat(crowded.classesDreamed()).isEqualTo(5);
        assertThat(crowded.coverageHolds()).isFalse();
        assertThat(InversionPreconditions.of(0.99, new int[] {102, 39, 39, 38, 38}, 2.7, 0.2)
                        .coverageHolds())
                .isTrue();
    }
}
