package org.mnemos.engine.spec;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads specs written before each method carried its own options flat in {@code method}: FOSTER's,
 * ABD's, DeepInversion's and finetune's options were an object named after the method
 * ({@code "method": {"name": "foster", "foster": {"beta1": 0.96}}}). Stored resolved specs and old
 * clients still use that shape.
 */
public final class MethodSpecUpgrade {

    /** The methods whose options sat in an object named after them. */
    static final List<String> NESTED =
            List.of(FosterSpec.NAME, AbdSpec.NAME, DeepInversionSpec.NAME, FinetuneSpec.NAME);

    private MethodSpecUpgrade() {}

    /**
     * Lifts {@code method.<name>.*} into {@code method.*} in place, where {@code <name>} is the
     * method's own name and one of the four; an option given in both places takes the nested value
     * (the old shape's). An object named after another method, or one
     * that names a method itself, stays, for the reader to report as an unknown field.
     */
    public static void lift(ObjectNode spec) {
        if (!(spec.get("method") instanceof ObjectNode method)) {
            return;
        }
        JsonNode name = method.get("name");
        if (name == null || !name.isString() || !NESTED.contains(name.asString())) {
            return;
        }
        JsonNode nested = method.get(name.asString());
        if (nested != null && nested.isNull()) {
            method.remove(name.asString());
        } else if (nested instanceof ObjectNode options && !options.has("name")) {
            method.remove(name.asString());
            for (Map.Entry<String, JsonNode> option : options.properties()) {
                method.set(option.getKey(), option.getValue());
            }
        }
    }
}
