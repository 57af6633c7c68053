package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;
import org.mnemos.engine.support.SharedData;

class RunPlanTest {

    @Test
    void classNamesFollowTheClassOrderAndResolveByOriginalLabel() {
        ExperimentSpec spec = new ExperimentSpec(
                null,
                null,
                null,
                DatasetSpec.named("fashion-mnist"),
                new ProtocolSpec(null, null, null, List.of(List.of(9, 0), List.of(5)), null, null, null),
                new ModelSpec("mlp", null, null),
                MethodSpec.named("replay"),
                null,
                new TrainingSpec(null, 10, null, null, null, null));
        RunPlan plan = SharedData.engine().plan(spec);
        assertThat(plan.classOrder()).containsExactly(9, 0, 5);
        assertThat(plan.className(9)).isEqualTo("Ankle boot");
        assertThat(plan.className(0)).isEqualTo("T-shirt/top");
        assertThat(plan.className(5)).isEqualTo("Sandal");
        assertThat(plan.spec().name()).isEqualTo("replay-fashion-mnist");
        assertThat(plan.spec().training().batchSize()).isEqualTo(128);
        assertThat(plan.spec().memory().perClass()).isEqualTo(20);
    }
}
