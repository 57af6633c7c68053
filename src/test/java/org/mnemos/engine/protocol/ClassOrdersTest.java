package org.mnemos.engine.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ProtocolSpec;

class ClassOrdersTest {

    /** The order as published with LUCIR, Mnemonics, AANets and PyCIL (issue text, verbatim). */
    private static final String PUBLISHED =
            "68 56 78 8 23 84 90 65 74 76 40 89 3 92 55 9 26 80 43 38 58 70 77 1 85 19 17 50 28 53 13 81 45 82 6 59 83 16 15 44 91 41 72 60 79 52 20 10 31 54 37 95 14 71 96 98 97 2 64 66 42 22 35 86 24 34 87 21 99 0 88 27 18 94 11 12 47 25 30 46 62 69 36 61 7 63 75 5 32 4 51 48 73 93 39 67 29 49 57 33";

    @Test
    void seed1993IsThePublishedCifar100Order() {
        List<Integer> published =
                Arrays.stream(PUBLISHED.split(" ")).map(Integer::valueOf).toList();
        assertThat(ClassOrders.resolve("seed1993", null, null, 100)).isEqualTo(published);
        assertThat(published).doesNotHaveDuplicates().hasSize(100).allMatch(label -> label >= 0 && label < 100);
    }

    @Test
    void seededOrdersAreDeterministicPermutations() {
        List<Integer> a = ClassOrders.resolve("seeded", 42L, null, 10);
        assertThat(a)
                .isEqualTo(ClassOrders.resolve("seeded", 42L, null, 10))
                .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(a).isNotEqualTo(ClassOrders.resolve("seeded", 43L, null, 10));
    }

    @Test
    void explicitOrdersAreValidated() {
        assertThat(ClassOrders.resolve("explicit", null, List.of(2, 0, 1), 3)).containsExactly(2, 0, 1);
        assertThatThrownBy(() -> ClassOrders.resolve("explicit", null, List.of(0, 0, 1), 3))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("protocol.classList[1]");
        assertThatThrownBy(() -> ClassOrders.resolve("seed1993", null, null, 10))
                .isInstanceOf(SpecException.class);
    }

    @Test
    void baseClassesThenIncrements() {
        ProtocolSpec lucir = new ProtocolSpec(50, 10, null, null, "seed1993", null, null);
        List<List<Integer>> phases = PhasePlanner.phases(lucir, ClassOrders.SEED_1993, 100);
        assertThat(phases).hasSize(6);
        assertThat(phases.get(0)).hasSize(50).startsWith(68, 56, 78);
        assertThat(phases.get(5)).hasSize(10).endsWith(33);
        assertThat(PhasePlanner.phases(
                        new ProtocolSpec(2, 2, null, null, null, null, null),
                        ClassOrders.resolve(null, null, null, 10),
                        10))
                .containsExactly(List.of(0, 1), List.of(2, 3), List.of(4, 5), List.of(6, 7), List.of(8, 9));
    }

    @Test
    void explicitPhasesMayNotRepeatAClass() {
        ProtocolSpec repeated =
                new ProtocolSpec(null, null, null, List.of(List.of(0, 1), List.of(1, 2)), null, null, null);
        assertThatThrownBy(() -> PhasePlanner.phases(repeated, List.of(), 10))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("protocol.phases[1][0]");
    }
}
