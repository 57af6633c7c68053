package org.mnemos.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class HerdingSelectorTest {

    @Test
    void picksTheImageClosestToTheMeanFirstThenBalancesAroundIt() {
        // four points around the mean (0,0)... plus one at the mean itself: herding takes the
        // centre first, then opposite pairs so the running mean stays at the centre
        float[][] features = {{1, 0}, {0, 0}, {-1, 0}, {0, 1}, {0, -1}};
        int[] picked = new HerdingSelector().select(features, 3, new Random(0));
        assertThat(picked[0]).isEqualTo(1);
        assertThat(picked[2]).isEqualTo(picked[1] == 0 ? 2 : picked[1] == 2 ? 0 : picked[1] == 3 ? 4 : 3);
    }

    @Test
    void matchesPyCilHerdingOnTheReferenceCases() throws Exception {
        JsonNode reference;
        try (InputStream in = getClass().getResourceAsStream("/reference/losses.json")) {
            reference = JsonMapper.builder().build().readTree(in).get("icarl_herding");
        }
        int count = reference.get("exemplars_to_pick").asInt();
        for (JsonNode c : reference.get("cases")) {
            JsonNode rows = c.get("features_raw");
            float[][] features = new float[rows.size()][];
            for (int i = 0; i < features.length; i++) {
                features[i] = new float[rows.get(i).size()];
                double norm = 0;
                for (int d = 0; d < features[i].length; d++) {
                    norm += rows.get(i).get(d).asDouble() * rows.get(i).get(d).asDouble();
                }
                for (int d = 0; d < features[i].length; d++) {
                    features[i][d] = (float) (rows.get(i).get(d).asDouble() / (Math.sqrt(norm) + 1e-8));
                }
            }
            int[] expected = new int[count];
            for (int i = 0; i < count; i++) {
                expected[i] = c.get("expected_selected_indices").get(i).asInt();
            }
            assertThat(new HerdingSelector().select(features, count, new Random(0)))
                    .containsExactly(expected);
        }
    }

    @Test
    void randomSelectionIsSeededAndWithoutReplacement() {
        float[][] features = new float[50][1];
        int[] a = new RandomSelector().select(features, 20, new Random(7));
        int[] b = new RandomSelector().select(features, 20, new Random(7));
        assertThat(a).containsExactly(b).doesNotHaveDuplicates();
    }
}
