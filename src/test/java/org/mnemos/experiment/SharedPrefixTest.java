package org.mnemos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.spec.ExperimentSpec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Which phases two arms of a group share: the fork comparison, with neither run's last phase. */
class SharedPrefixTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final CilEngine ENGINE = new CilEngine(new DatasetCatalog(new DataRoots(List.of())));
    private static final String SPEC = """
            {"name":"a","seed":7,
             "dataset":{"name":"synthetic","syntheticClasses":8,"syntheticTrainPerClass":4,"syntheticTestPerClass":2,
               "syntheticImageSize":8,"syntheticChannels":1},
             "protocol":{"initialClasses":2,"increment":2},
             "model":{"backbone":"mlp","hiddenUnits":[8]},"method":{"name":"icarl"},"memory":{"perClass":2},
             "training":{"iterations":4,"batchSize":4,"optimizer":{"name":"sgd","lr":0.05}}}""";

    private static RunPlan plan(Consumer<ObjectNode> change) {
        ObjectNode spec = (ObjectNode) JSON.readTree(SPEC);
        change.accept(spec);
        return ENGINE.plan(JSON.treeToValue(spec, ExperimentSpec.class));
    }

    private static final Consumer<ObjectNode> SAME = spec -> {};

    @Test
    void identicalRunsShareEveryPhaseButTheLast() {
        // four phases of two classes; the name is no condition
        assertThat(SharedPrefixes.sharedPrefix(plan(SAME), plan(s -> s.put("name", "b"))))
                .isEqualTo(2);
    }

    @Test
    void runsThatDifferAfterPhaseZeroSharePhaseZero() {
        RunPlan pairs = plan(SAME);
        RunPlan fours = plan(s -> ((ObjectNode) s.get("protocol")).put("increment", 3));
        assertThat(pairs.phases().get(0)).isEqualTo(fours.phases().get(0));
        assertThat(SharedPrefixes.sharedPrefix(pairs, fours)).isZero();
        assertThat(SharedPrefixes.sharedPrefix(fours, pairs)).isZero();
    }

    @Test
    void anyOtherConditionOrAnotherPhaseZeroSharesNothing() {
        RunPlan base = plan(SAME);
        assertThat(SharedPrefixes.sharedPrefix(base, plan(s -> s.put("seed", 8))))
                .isEqualTo(-1);
        assertThat(SharedPrefixes.sharedPrefix(base, plan(s -> ((ObjectNode) s.get("training")).put("iterations", 5))))
                .isEqualTo(-1);
        assertThat(SharedPrefixes.sharedPrefix(base, plan(s -> ((ObjectNode) s.get("method")).put("name", "replay"))))
                .isEqualTo(-1);
        assertThat(SharedPrefixes.sharedPrefix(base, plan(s -> ((ObjectNode) s.get("memory")).put("perClass", 3))))
                .isEqualTo(-1);
        assertThat(SharedPrefixes.sharedPrefix(
                        base, plan(s -> ((ObjectNode) s.get("protocol")).put("initialClasses", 4))))
                .isEqualTo(-1);
    }
}
