package org.mnemos.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mnemos.experiment.SpecReader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Which presets carry a reference card, and that each card describes the run its preset specifies. */
class ReferenceCardsTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final PresetCatalog PRESETS = new PresetCatalog(JSON);
    private static final Pattern PHASES = Pattern.compile("column N=(\\d+)");
    private static final Pattern TASKS = Pattern.compile("column (\\d+) tasks");

    @Test
    void exactlyThePresetsWhoseFigureCouldBeSourcedCarryACard() {
        assertThat(PRESETS.list().stream().filter(p -> p.reference() != null).map(PresetCatalog.Preset::name))
                .containsExactly(
                        "cifar100-abd-10",
                        "cifar100-abd-20",
                        "cifar100-abd-5",
                        "cifar100-icarl-mnemonics-b50-10",
                        "cifar100-icarl-mnemonics-b50-25",
                        "cifar100-icarl-mnemonics-b50-5",
                        "cifar100-lucir-b50-10",
                        "cifar100-lucir-b50-25",
                        "cifar100-lucir-b50-5",
                        "cifar100-lucir-mnemonics-b50-10",
                        "cifar100-lucir-mnemonics-b50-25",
                        "cifar100-lucir-mnemonics-b50-5");
    }

    @Test
    void eachCardsMemoryAndPhasesAreThoseOfItsPreset() {
        for (PresetCatalog.Preset preset : PRESETS.list()) {
            ReferenceCard card = preset.reference();
            if (card == null) {
                continue;
            }
            assertThat(card.problems()).as(preset.name()).isEmpty();
            ObjectNode spec = preset.spec();
            JsonNode memory = spec.path("memory");
            switch (card.memory().mode()) {
                case PER_CLASS ->
                    assertThat(memory.path("perClass").asInt())
                            .as(preset.name())
                            .isEqualTo(card.memory().size());
                case TOTAL ->
                    assertThat(memory.path("total").asInt())
                            .as(preset.name())
                            .isEqualTo(card.memory().size());
                case NONE ->
                    assertThat(memory.isMissingNode()).as(preset.name()).isTrue();
            }
            int initial = spec.path("protocol").path("initialClasses").asInt();
            int increment = spec.path("protocol").path("increment").asInt();
            Matcher phases = PHASES.matcher(card.table());
            Matcher tasks = TASKS.matcher(card.table());
            if (phases.find()) {
                // N phases after the base phase
                assertThat((100 - initial) / increment).as(preset.name()).isEqualTo(Integer.parseInt(phases.group(1)));
            } else {
                assertThat(tasks.find())
                        .as(preset.name() + ": the card's column names its phases")
                        .isTrue();
                assertThat(100 / increment).as(preset.name()).isEqualTo(Integer.parseInt(tasks.group(1)));
                assertThat(initial).as(preset.name()).isEqualTo(increment);
            }
        }
    }

    @Test
    void anNmeCardNeedsAMethodThatKeepsClassMeans() {
        PRESETS.list().stream()
                .filter(p -> p.reference() != null && p.reference().classifier() == ReferenceCard.Classifier.NME)
                .forEach(p -> assertThat(p.spec().path("method").path("name").asString())
                        .as(p.name())
                        .isEqualTo("icarl"));
    }

    @Test
    void aShippedCardWithAnUnknownOrMissingFieldStopsTheStart() {
        ObjectNode card = (ObjectNode)
                JSON.valueToTree(PRESETS.find("cifar100-abd-5").orElseThrow().reference());
        assertThat(PresetCatalog.card(JSON, "p", card))
                .isEqualTo(PRESETS.find("cifar100-abd-5").orElseThrow().reference());

        ObjectNode unknown = card.deepCopy().put("value", 43.9);
        assertThatThrownBy(() -> PresetCatalog.card(JSON, "p", unknown)).hasMessageContaining("value");

        ObjectNode unsourced = card.deepCopy();
        unsourced.remove("source");
        assertThatThrownBy(() -> PresetCatalog.card(JSON, "p", unsourced)).hasMessageContaining("source: required");

        ObjectNode nmeWithoutMemory = card.deepCopy().put("classifier", "nme");
        assertThatThrownBy(() -> PresetCatalog.card(JSON, "p", nmeWithoutMemory))
                .hasMessageContaining("nme needs exemplars");

        ObjectNode sizeWithoutMode = card.deepCopy();
        ((ObjectNode) sizeWithoutMode.get("memory")).put("size", 20);
        assertThatThrownBy(() -> PresetCatalog.card(JSON, "p", sizeWithoutMode)).hasMessageContaining("memory.size");
    }
}
