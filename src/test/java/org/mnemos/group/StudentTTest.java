package org.mnemos.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The quantiles against reference values (scipy.stats.t.ppf; the 0.975 ones are the familiar table rows, t(0.975, 4) = 2.776445). */
class StudentTTest {

    @ParameterizedTest
    @CsvSource({
        "0.975, 1, 12.706204736174694",
        "0.975, 2, 4.302652729749462",
        "0.975, 3, 3.1824463052837078",
        "0.975, 4, 2.7764451051977934",
        "0.975, 9, 2.262157162798205",
        "0.975, 19, 2.0930240544083087",
        "0.975, 30, 2.0422724563012378",
        "0.995, 10, 3.16927267261695",
        "0.95, 5, 2.0150483733330233",
        "0.9, 1, 3.0776835371752544",
        "0.6, 7, 0.2631668613520229"
    })
    void quantilesMatchTheTables(double p, int degrees, double expected) {
        assertThat(StudentT.quantile(p, degrees)).isCloseTo(expected, offset(1e-12 * Math.max(1, expected)));
        assertThat(StudentT.quantile(1 - p, degrees)).isCloseTo(-expected, offset(1e-12 * Math.max(1, expected)));
    }

    @Test
    void theDistributionFunctionMatchesClosedForms() {
        // ν = 1 is the Cauchy distribution, ν = 2 has F(t) = 1/2 + t / (2 √(2 + t²))
        for (double t : new double[] {-7.5, -1, -0.2, 0, 0.3, 1, 4, 40}) {
            assertThat(StudentT.cdf(t, 1)).isCloseTo(0.5 + Math.atan(t) / Math.PI, offset(1e-15));
            assertThat(StudentT.cdf(t, 2)).isCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), offset(1e-15));
        }
        assertThat(StudentT.cdf(Double.POSITIVE_INFINITY, 3)).isEqualTo(1);
        assertThat(StudentT.cdf(0, 17)).isEqualTo(0.5);
    }

    @Test
    void refusesWhatHasNoQuantile() {
        assertThatThrownBy(() -> StudentT.quantile(1, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StudentT.quantile(0.975, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
