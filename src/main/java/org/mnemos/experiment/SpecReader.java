package org.mnemos.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.engine.spec.AggregationSpec;
import org.mnemos.engine.spec.CompressionSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MethodSpecUpgrade;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import org.mnemos.web.ProblemType;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonPointer;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;

/**
 * Turns a submitted body into a spec: strict JSON (unknown fields, coerced scalars and trailing
 * content are errors naming the field), then the named preset merged under the client's fields.
 */
@Component
public class SpecReader {

    /** Strict for reading, sorted and null-free for writing, so that equal specs serialise equally. */
    private static final JsonMapper SPEC_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // a number or boolean where text is expected is an error, not its string form
            .withCoercionConfig(
                    LogicalType.Textual,
                    text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .changeDefaultPropertyInclusion(
                    incl -> JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    /** The submission as sent and as resolved, and the finished phase it forks from (null for none). */
    public record ReadSpec(
            ObjectNode submitted, ObjectNode resolvedTree, ExperimentSpec spec, ExperimentViews.Fork from) {}

    /** The submission's field naming the phase a run is forked from: not part of the spec the engine runs. */
    public static final String FROM = "from";

    private final PresetCatalog presets;

    public SpecReader(PresetCatalog presets) {
        this.presets = presets;
    }

    public static JsonMapper json() {
        return SPEC_JSON;
    }

    public PresetCatalog presets() {
        return presets;
    }

    public ReadSpec read(byte[] body) {
        JsonNode tree;
        try {
            tree = SPEC_JSON.readTree(body);
        } catch (StreamReadException e) {
            JsonParser parser = e.processor();
            if (parser != null && e.getOriginalMessage().startsWith("Duplicate")) {
                throw ApiException.invalidSpec(
                        field(parser.streamReadContext().pathAsPointer()), "appears more than once");
            }
            throw new ApiException(
                    ProblemType.MALFORMED_REQUEST, "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw new ApiException(
                    ProblemType.MALFORMED_REQUEST, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw ApiException.invalidSpec("$", "must be a JSON object");
        }
        rejectNul(tree, "");
        ObjectNode submitted = (ObjectNode) tree;
        ExperimentViews.Fork from = fork(submitted.get(FROM));
        ObjectNode resolved = submitted.deepCopy();
        JsonNode presetName = submitted.get("preset");
        if (presetName != null && !presetName.isNull()) {
            if (!presetName.isString()) {
                throw ApiException.invalidSpec("preset", "must be a string naming a preset");
            }
            PresetCatalog.Preset preset = presets.find(presetName.asString())
                    .orElseThrow(() -> ApiException.invalidSpec(
                            "preset",
                            "unknown preset '" + presetName.asString() + "'; known: "
                                    + presets.list().stream()
                                            .map(PresetCatalog.Preset::name)
                                            .toList()));
            resolved = merge(preset.spec().deepCopy(), submitted);
        }
        resolved.remove(FROM);
        // an old client's method options, nested under the method's name, in the flat shape
        MethodSpecUpgrade.lift(resolved);
        return new ReadSpec(submitted, resolved, bind(resolved), from);
    }

    /** A stored spec's JSON as a tree in the current shape (a spec stored before the flat method options, lifted). */
    public static ObjectNode storedTree(String json) {
        ObjectNode tree = (ObjectNode) SPEC_JSON.readTree(json);
        MethodSpecUpgrade.lift(tree);
        return tree;
    }

    /** A stored spec (a run's resolved spec), in whichever shape it was stored. */
    public static ExperimentSpec readStored(String json) {
        return SPEC_JSON.treeToValue(storedTree(json), ExperimentSpec.class);
    }

    /** {@code {"experiment": id, "phase": k}}, or null when absent. */
    private static ExperimentViews.Fork fork(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ApiException.invalidSpec(FROM, "must be an object {experiment, phase}");
        }
        List<FieldProblem> problems = new ArrayList<>();
        node.propertyNames().stream()
                .filter(f -> !f.equals("experiment") && !f.equals("phase"))
                .forEach(f ->
                        problems.add(new FieldProblem(FROM + "." + f, "unknown field; allowed: [experiment, phase]")));
        UUID experiment = null;
        JsonNode id = node.get("experiment");
        if (id == null || id.isNull()) {
            problems.add(new FieldProblem(FROM + ".experiment", "is required: the id of the experiment to fork"));
        } else {
            try {
                experiment = id.isString() ? UUID.fromString(id.asString()) : null;
            } catch (IllegalArgumentException e) {
                experiment = null;
            }
            if (experiment == null) {
                problems.add(new FieldProblem(FROM + ".experiment", "must be an experiment id (a UUID string)"));
            }
        }
        JsonNode phase = node.get("phase");
        if (phase == null || phase.isNull()) {
            problems.add(new FieldProblem(FROM + ".phase", "is required: the last phase to reuse"));
        } else if (!phase.isIntegralNumber() || !phase.canConvertToInt() || phase.asInt() < 0) {
            problems.add(new FieldProblem(FROM + ".phase", "must be an integer >= 0"));
        }
        if (!problems.isEmpty()) {
            throw ApiException.invalidSpec(problems);
        }
        return new ExperimentViews.Fork(experiment, phase.asInt());
    }

    /** A JSON pointer ({@code /training/optimizer/lr}, {@code /protocol/classList/3}) as a field path. */
    private static String field(JsonPointer pointer) {
        StringBuilder out = new StringBuilder();
        for (JsonPointer at = pointer; at != null && !at.matches(); at = at.tail()) {
            if (at.mayMatchElement() && at.getMatchingProperty().equals(Integer.toString(at.getMatchingIndex()))) {
                out.append('[').append(at.getMatchingIndex()).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(at.getMatchingProperty());
            }
        }
        return out.isEmpty() ? "$" : out.toString();
    }

    /** PostgreSQL cannot store U+0000 in text, and no field has a use for it. */
    private static void rejectNul(JsonNode node, String path) {
        if (node.isString() && node.asString().indexOf('\0') >= 0) {
            throw ApiException.invalidSpec(path.isEmpty() ? "$" : path, "must not contain the NUL character (U+0000)");
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getKey().indexOf('\0') >= 0) {
                    throw ApiException.invalidSpec(
                            path.isEmpty() ? "$" : path, "field names must not contain the NUL character (U+0000)");
                }
                rejectNul(field.getValue(), fieldPath);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                rejectNul(node.get(i), path + "[" + i + "]");
            }
        }
    }

    /** Client fields win; objects merge recursively, arrays and scalars are replaced whole. */
    static ObjectNode merge(ObjectNode base, ObjectNode override) {
        for (Map.Entry<String, JsonNode> field : override.properties()) {
            JsonNode current = base.get(field.getKey());
            if (current instanceof ObjectNode currentObject && field.getValue() instanceof ObjectNode overrideObject) {
                merge(currentObject, overrideObject);
            } else {
                base.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return base;
    }

    private static ExperimentSpec bind(ObjectNode tree) {
        try {
            return SPEC_JSON.treeToValue(tree, ExperimentSpec.class);
        } catch (JacksonException e) {
            throw ApiException.invalidSpec(List.of(describe(e)));
        }
    }

    private static FieldProblem describe(JacksonException e) {
        String field = path(e);
        if (e instanceof InvalidTypeIdException) {
            // a name-discriminated part (model.aggregation) with a missing or unknown name
            List<String> names = field.endsWith("compression") ? CompressionSpec.NAMES : AggregationSpec.NAMES;
            return new FieldProblem(field + ".name", "must name one of " + names);
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new FieldProblem(field, "unknown field; allowed: " + unknown.getKnownPropertyIds());
        }
        if (e instanceof MismatchedInputException mismatched) {
            Class<?> target = mismatched.getTargetType();
            return new FieldProblem(field, "must be " + describeType(target));
        }
        return new FieldProblem(field, "invalid value");
    }

    private static String path(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? "$" : out.toString();
    }

    private static String describeType(Class<?> type) {
        if (type == null) {
            return "a value of the documented type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}
