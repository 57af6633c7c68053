package org.mnemos.engine.parts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FinetuneSpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.experiment.SpecReader;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

class PartsTest {

    private static final String RUN = """
            {"dataset":{"name":"synthetic"},"protocol":{"initialClasses":2,"increment":2},
             "model":{"backbone":"resnet8"%s},"method":{"name":"%s"%s},%s
             "training":{"epochs":1,"optimizer":{"name":"sgd","lr":0.1}}}""";

    private static List<String> problemFields(String model, String method, String methodOptions, String memory) {
        ExperimentSpec spec =
                SpecReader.json().readValue(RUN.formatted(model, method, methodOptions, memory), ExperimentSpec.class);
        SpecProblems problems = new SpecProblems(SpecProblems.Limits.NONE);
        Parts.check(spec, problems);
        return problems.list().stream().map(SpecProblems.Problem::field).toList();
    }

    @Test
    void everyPartHoldsItsOwnPlaceInTheTable() {
        Set<String> places = new HashSet<>();
        for (String path :
                List.of(Parts.METHOD, Parts.SELECTOR, Parts.COMPRESSION, Parts.AGGREGATION, Parts.SCALED_KERNELS)) {
            assertThat(Parts.names(path)).as(path).isNotEmpty();
            for (String name : Parts.names(path)) {
                Part<?> part = Parts.find(path, name);
                assertThat(part.path()).isEqualTo(path);
                assertThat(part.description()).isNotBlank();
                assertThat(places.add(path + "/" + name)).isTrue();
            }
        }
        assertThat(Parts.names(Parts.COMPRESSION)).containsExactly("none", "cam", "cim");
        assertThat(Parts.names(Parts.SELECTOR)).containsExactly("herding", "random", "mnemonics");
    }

    @Test
    void eachPartReportsItsOwnProblemsAtTheirExactPaths() {
        assertThat(problemFields("", "foster", ",\"beta1\":1.5", "\"memory\":{\"perClass\":2},"))
                .containsExactly("method.beta1");
        assertThat(problemFields(
                        "",
                        "icarl",
                        "",
                        "\"memory\":{\"perClass\":2,\"compression\":{\"name\":\"cim\",\"ratio\":0.5}},"))
                .containsExactly("memory.compression.ratio");
        assertThat(problemFields(
                        ",\"aggregation\":{\"name\":\"aanets\",\"fusionLr\":2}",
                        "lucir",
                        "",
                        "\"memory\":{\"perClass\":2},"))
                .containsExactly("model.aggregation.fusionLr");
        // a combination is reported by the part that owns the rule, once
        assertThat(problemFields(
                        ",\"aggregation\":{\"name\":\"aanets\"}", "foster", "", "\"memory\":{\"perClass\":2},"))
                .containsExactly("model.aggregation");
        assertThat(problemFields("", "abd", "", "\"memory\":{\"perClass\":2},")).containsExactly("memory");
        assertThat(problemFields("", "icarl", "", "\"memory\":{\"selector\":\"greedy\"},"))
                .containsExactly("memory.selector");
        assertThat(problemFields("", "ewc", "", "")).containsExactly("method.name");
        assertThat(problemFields("", "icarl", "", "\"memory\":{\"perClass\":2},"))
                .isEmpty();
    }

    @Test
    void aRegisteredPartIsFoundAndCheckedLikeABuiltInOne() {
        try (Parts.Registration registration =
                Parts.registerMethod("toy-check", spec -> Parts.create(MethodSpec.named("replay")))) {
            assertThat(Parts.methodNames()).endsWith("toy-check");
            assertThat(problemFields("", "toy-check", "", "\"memory\":{\"perClass\":2},"))
                    .isEmpty();
            // a registered method takes no options: the reader refuses one, naming it
            assertThatThrownBy(() -> problemFields("", "toy-check", ",\"temperature\":2", ""))
                    .isInstanceOfSatisfying(
                            UnrecognizedPropertyException.class,
                            e -> assertThat(e.getPropertyName()).isEqualTo("temperature"));
        }
        assertThat(Parts.find(Parts.METHOD, "toy-check")).isNull();
    }

    @Test
    void everyNamedMethodIsBuiltAndDeclaresItsOptions() {
        for (String name : Parts.methodNames()) {
            assertThat(Parts.create(MethodSpec.named(name)).name()).isEqualTo(name);
            assertThat(Parts.method(name).options()).isNotNull();
        }
    }

    @Test
    void anOptionOfAnotherMethodIsRejectedNamingTheField() {
        assertThatThrownBy(() -> SpecReader.json()
                        .readValue(
                                RUN.formatted("", "icarl", ",\"proxiesPerClass\":10", "\"memory\":{\"perClass\":2},"),
                                ExperimentSpec.class))
                .isInstanceOfSatisfying(
                        UnrecognizedPropertyException.class,
                        e -> assertThat(e.getPropertyName()).isEqualTo("proxiesPerClass"))
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> SpecReader.json()
                        .readValue(RUN.formatted("", "replay", ",\"loss\":\"newOnly\"", ""), ExperimentSpec.class))
                .isInstanceOfSatisfying(
                        UnrecognizedPropertyException.class,
                        e -> assertThat(e.getPropertyName()).isEqualTo("loss"));
        assertThatThrownBy(() -> Parts.create(MethodSpec.named("ewc")))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("allowed");
    }

    @Test
    void finetuneTakesCrossEntropyOverAllSeenLogitsUnlessAskedForPycilsNewLogitsOnly() {
        var allSeen = Parts.create(MethodSpec.named("finetune"));
        assertThat(allSeen.lossesFor(2, 2))
                .singleElement()
                .isInstanceOfSatisfying(
                        CrossEntropyLoss.class,
                        ce -> assertThat(ce.newClassesOnly()).isFalse());
        var newOnly = Parts.create(finetune(FinetuneSpec.NEW_ONLY));
        assertThat(newOnly.lossesFor(0, 2))
                .singleElement()
                .isInstanceOfSatisfying(
                        CrossEntropyLoss.class,
                        ce -> assertThat(ce.newClassesOnly()).isFalse());
        assertThat(newOnly.lossesFor(2, 2))
                .singleElement()
                .isInstanceOfSatisfying(
                        CrossEntropyLoss.class,
                        ce -> assertThat(ce.newClassesOnly()).isTrue());
        assertThatThrownBy(() -> Parts.create(finetune("oldOnly")))
                .isInstanceOf(SpecException.class)
                .satisfies(e -> assertThat(((SpecException) e).field()).isEqualTo("method.loss"))
                .hasMessageContaining("newOnly");
    }

    private static MethodSpec finetune(String loss) {
        return new org.mnemos.engine.spec.FinetuneSpec("finetune", loss);
    }

    @Test
    void lucirWeightsTheLessForgetTermBySqrtOfOldOverNew() {
        var losses = Parts.create(MethodSpec.named("lucir")).lossesFor(50, 10);
        assertThat(losses).hasSize(3);
        assertThat(losses.get(1)).isEqualTo(org.mnemos.engine.phase.loss.LessForgetLoss.adaptive(5.0, 50, 10));
        assertThat(((org.mnemos.engine.phase.loss.LessForgetLoss) losses.get(1)).lambda())
                .isEqualTo(5.0 * Math.sqrt(5.0));
    }
}
