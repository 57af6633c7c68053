package org.mnemos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import tools.jackson.databind.json.JsonMapper;

/**
 * Specs in the shape before each method carried its options flat in {@code method}: FOSTER's, ABD's,
 * DeepInversion's and finetune's options in an object named after the method. Clients may still
 * submit them and stored resolved specs in that shape still load, as the same spec as the new shape.
 */
class OldMethodShapeTest {

    private static final SpecReader READER =
            new SpecReader(new PresetCatalog(JsonMapper.builder().build()));

    private static final String SPEC = """
            {"dataset":{"name":"synthetic"},"protocol":{"initialClasses":2,"increment":2},
             "model":{"backbone":"resnet8"},"method":%s,%s
             "training":{"epochs":1,"optimizer":{"name":"sgd","lr":0.1}}}""";

    private static String spec(String method, String memory) {
        return SPEC.formatted(method, memory);
    }

    private static ExperimentSpec submitted(String json) {
        return READER.read(json.getBytes(StandardCharsets.UTF_8)).spec();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "foster | {\"name\":\"foster\",\"foster\":{\"beta1\":0.95,\"compressionEpochs\":7,\"isStudentWa\":true}}"
                        + " | {\"name\":\"foster\",\"beta1\":0.95,\"compressionEpochs\":7,\"isStudentWa\":true}"
                        + " | \"memory\":{\"perClass\":2},",
                "abd | {\"name\":\"abd\",\"abd\":{\"iterations\":6,\"mu\":0.2,\"sampleMode\":\"train\"}}"
                        + " | {\"name\":\"abd\",\"iterations\":6,\"mu\":0.2,\"sampleMode\":\"train\"} | ",
                "deepinversion | {\"name\":\"deepinversion\",\"temperature\":3,\"deepinversion\":{\"latentDim\":32}}"
                        + " | {\"name\":\"deepinversion\",\"temperature\":3,\"latentDim\":32} | ",
                "finetune | {\"name\":\"finetune\",\"finetune\":{\"loss\":\"newOnly\"}}"
                        + " | {\"name\":\"finetune\",\"loss\":\"newOnly\"} | ",
            })
    void theOldShapeReadsAsTheNewOne(String method, String oldShape, String newShape, String memory) {
        String memoryField = memory == null ? "" : memory;
        ExperimentSpec expected = submitted(spec(newShape, memoryField));
        assertThat(expected.method().name()).isEqualTo(method);
        assertThat(submitted(spec(oldShape, memoryField))).as("submitted").isEqualTo(expected);
        assertThat(SpecReader.readStored(spec(oldShape, memoryField)))
                .as("stored")
                .isEqualTo(expected);
        assertThat(SpecReader.storedTree(spec(oldShape, memoryField))
                        .get("method")
                        .has(method))
                .as("shown flat")
                .isFalse();
    }

    @Test
    void aStoredResolvedFosterSpecLoadsWithEveryOption() {
        String stored = spec(
                "{\"foster\":{\"beta1\":0.96,\"beta2\":0.97,\"compressionEpochs\":130,\"compressionLr\":0.1,"
                        + "\"isStudentWa\":false,\"isTeacherWa\":false,\"lambdaOkd\":1.0,\"oofc\":\"ft\","
                        + "\"temperature\":2.0,\"waValue\":1.0},\"name\":\"foster\"}",
                "\"memory\":{\"perClass\":2,\"selector\":\"herding\"},");
        assertThat(SpecReader.readStored(stored).method())
                .isEqualTo(new FosterSpec("foster", 0.96, 0.97, 2.0, 1.0, 130, 0.1, false, false, 1.0, "ft"));
    }

    @Test
    void anotherMethodsNestedOptionsAreAnUnknownFieldNamedExactly() {
        assertThatThrownBy(() -> submitted(spec("{\"name\":\"icarl\",\"foster\":{\"beta1\":0.9}}", "")))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.errors())
                                .extracting(FieldProblem::field)
                                .containsExactly("method.foster"));
        assertThatThrownBy(() -> submitted(spec("{\"name\":\"icarl\",\"margin\":0.5}", "")))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.errors())
                                .extracting(FieldProblem::field)
                                .containsExactly("method.margin"));
    }
}
