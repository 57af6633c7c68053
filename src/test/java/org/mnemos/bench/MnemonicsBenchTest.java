package org.mnemos.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsOptions;
import org.mnemos.engine.spec.ExperimentSpec;

class MnemonicsBenchTest {

    @Test
    void aBoundAfterTheModeNarrowsTheDisplacementOfThatArmOnly() {
        ExperimentSpec bounded = MnemonicsBench.spec("icarl", "bilevel@8+ss", 0, 8);
        assertThat(MnemonicsOptions.of(bounded.memory()).maxChange()).isEqualTo(8f);
        assertThat(MnemonicsOptions.of(bounded.memory()).mode()).isEqualTo(MnemonicsOptions.Mode.BILEVEL);
        assertThat(bounded.model().scaledKernels()).isTrue();

        ExperimentSpec plain = MnemonicsBench.spec("icarl", "bilevel", 0, 8);
        assertThat(MnemonicsOptions.of(plain.memory()).maxChange()).isEqualTo(2f);
        assertThat(plain.model().scaledKernels()).isNull();
    }

    @Test
    void herdingAndTheCodeModeTakeNoBoundAndTheBoundIsANumber() {
        assertThatThrownBy(() -> MnemonicsBench.spec("icarl", "code@2", 0, 8))
                .hasMessageContaining("code takes no displacement bound");
        assertThatThrownBy(() -> MnemonicsBench.spec("icarl", "herding@2", 0, 8))
                .hasMessageContaining("herding takes no displacement bound");
        assertThatThrownBy(() -> MnemonicsBench.spec("icarl", "bilevel@two", 0, 8))
                .hasMessageContaining("a number of grey levels");
    }
}
