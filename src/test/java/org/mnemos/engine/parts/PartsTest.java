package org.mnemos.engine.parts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.spec.FinetuneSpec;
import org.mnemos.engine.spec.MethodSpec;

class PartsTest {

    @Test
    void everyNamedMethodIsBuiltAndDeclaresItsOptions() {
        for (String name : Parts.methodNames()) {
            assertThat(Parts.create(MethodSpec.named(name)).name()).isEqualTo(name);
            assertThat(Parts.method(name).options()).isNotNull();
        }
    }

    @Test
    void anOptionOfAnotherMethodIsRejectedNamingTheField() {
        MethodSpec icarlWithProxies = new MethodSpec("icarl", null, null, null, null, null, null, null, 10, null, null, null);
        assertThatThrownBy(() -> Parts.create(icarlWithProxies))
                .isInstanceOf(SpecException.class)
                .satisfies(e -> assertThat(((SpecException) e).field()).isEqualTo("method.proxiesPerClass"))
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> Parts.create(MethodSpec.named("ewc")))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("allowed");
    }

    @Test
    void finetuneTakesCrossEntropyOverAllSeenLogitsUnlessAskedForPycilsNewLogitsOnly() {
        var allSeen = Parts.create(MethodSpec.named("finetune"));
        assertThat(allSeen.lossesFor(2, 2)).singleElement()
                .isInstanceOfSatisfying(CrossEntropyLoss.class, ce -> assertThat(ce.newClassesOnly()).isFalse());
        var newOnly = Parts.create(finetune(FinetuneSpec.NEW_ONLY));
        assertThat(newOnly.lossesFor(0, 2)).singleElement()
                .isInstanceOfSatisfying(CrossEntropyLoss.class, ce -> assertThat(ce.newClassesOnly()).isFalse());
        assertThat(newOnly.lossesFor(2, 2)).singleElement()
                .isInstanceOfSatisfying(CrossEntropyLoss.class, ce -> assertThat(ce.newClassesOnly()).isTrue());
        assertThatThrownBy(() -> Parts.create(finetune("oldOnly")))
                .isInstanceOf(SpecException.class)
                .satisfies(e -> assertThat(((SpecException) e).field()).isEqualTo("method.finetune.loss"))
                .hasMessageContaining("newOnly");
        assertThatThrownBy(() -> Parts.create(new MethodSpec("replay", null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, new FinetuneSpec(FinetuneSpec.NEW_ONLY))))
                .isInstanceOf(SpecException.class)
                .satisfies(e -> assertThat(((SpecException) e).field()).isEqualTo("method.finetune"));
    }

    private static MethodSpec finetune(String loss) {
        return new MethodSpec("finetune", null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                new FinetuneSpec(loss));
    }

    @Test
    void lucirWeightsTheLessForgetTermBySqrtOfOldOverNew() {
        var losses = Parts.create(MethodSpec.named("lucir")).lossesFor(50, 10);
        assertThat(losses).hasSize(3);
        assertThat(losses.get(1)).isEqualTo(org.mnemos.engine.phase.loss.LessForgetLoss.adaptive(5.0, 50, 10));
        assertThat(((org.mnemos.engine.phase.loss.LessForgetLoss) losses.get(1)).lambda()).isEqualTo(5.0 * Math.sqrt(5.0));
    }
}
