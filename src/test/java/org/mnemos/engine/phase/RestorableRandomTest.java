package org.mnemos.engine.phase;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RestorableRandomTest {

    @Test
    void drawsAsJavaUtilRandomDoesForEverySeedAndKindOfDraw() {
        for (long seed : new long[] {0, 1, -5, 11L * 1_000_003L + 1}) {
            Random expected = new Random(seed);
            RestorableRandom actual = new RestorableRandom(seed);
            for (int i = 0; i < 20_000; i++) {
                switch (i % 7) {
                    case 0 -> assertThat(actual.nextInt(97)).isEqualTo(expected.nextInt(97));
                    case 1 -> assertThat(actual.nextDouble()).isEqualTo(expected.nextDouble());
                    case 2, 3 -> assertThat(actual.nextGaussian()).isEqualTo(expected.nextGaussian());
                    case 4 -> assertThat(actual.nextLong()).isEqualTo(expected.nextLong());
                    case 5 -> assertThat(actual.nextFloat()).isEqualTo(expected.nextFloat());
                    default -> assertThat(actual.nextBoolean()).isEqualTo(expected.nextBoolean());
                }
            }
        }
    }

    @Test
    void aRestoredSnapshotContinuesTheSameDrawsEvenHalfwayThroughAGaussianPair() {
        RestorableRandom random = new RestorableRandom(42);
        random.nextGaussian();
        RestorableRandom.Snapshot snapshot = random.snapshot();
        double[] first = {random.nextGaussian(), random.nextGaussian(), random.nextInt(1000)};
        RestorableRandom other = new RestorableRandom(7);
        other.nextGaussian();
        other.restore(snapshot);
        assertThat(new double[] {other.nextGaussian(), other.nextGaussian(), other.nextInt(1000)})
                .isEqualTo(first);
    }
}
