package org.mnemos.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Named partial specs shipped in {@code classpath:presets/*.json}. A preset file holds a
 * {@code description}, optionally the {@code reference} card of the published figure it
 * reproduces, and the spec fields; a submission naming it is deep-merged over the spec fields.
 */
@Component
public class PresetCatalog {

    /** @param reference the published figure the preset reproduces; null where none could be sourced */
    public record Preset(String name, String description, ReferenceCard reference, ObjectNode spec) {}

    private final List<Preset> presets;

    public PresetCatalog(ObjectMapper mapper) {
        this.presets = load(mapper);
    }

    public List<Preset> list() {
        return presets;
    }

    public Optional<Preset> find(String name) {
        return presets.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static List<Preset> load(ObjectMapper mapper) {
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath*:presets/*.json");
            List<Preset> loaded = new ArrayList<>();
            for (Resource resource : resources) {
                String file = resource.getFilename();
                String name = file.substring(0, file.length() - ".json".length());
                try (InputStream in = resource.getInputStream()) {
                    ObjectNode spec = (ObjectNode) mapper.readTree(in);
                    JsonNode description = spec.remove("description");
                    ReferenceCard reference = card(mapper, name, spec.remove("reference"));
                    loaded.add(new Preset(name, description == null ? "" : description.asString(), reference, spec));
                }
            }
            loaded.sort(Comparator.comparing(Preset::name));
            return List.copyOf(loaded);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the presets", e);
        }
    }

    /** A preset's card, read strictly: a shipped card with an unknown or missing field stops the start. */
    static ReferenceCard card(ObjectMapper mapper, String preset, JsonNode node) {
        if (node == null) {
            return null;
        }
        ReferenceCard card = mapper.readerFor(ReferenceCard.class)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(node);
        if (!card.problems().isEmpty()) {
            throw new IllegalStateException("preset " + preset + ": reference card " + card.problems());
        }
        return card;
    }
}
