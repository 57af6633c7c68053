package org.mnemos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mnemos.catalog.PresetCatalog;
import org.mnemos.catalog.ReferenceCard;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.DataPaths;
import org.mnemos.engine.Datasets;
import org.mnemos.experiment.ExperimentViews.Reference;
import org.mnemos.experiment.ExperimentViews.ReferenceStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** When a run of a preset is set against the preset's reference card, and what its delta is. */
class ReferenceCheckTest {

    private static final JsonMapper JSON = SpecReader.json();
    private static final PresetCatalog PRESETS = new PresetCatalog(JSON);
    private static final SpecReader READER = new SpecReader(PRESETS);
    /** Plans CIFAR-100 without its files, as a server that may download them does; nothing is fetched. */
    private static final Datasets DATASETS = new Datasets(new DataPaths(List.of()), true);

    private static final CilEngine ENGINE = DATASETS.engine(id -> null);

    private static final ReferenceCard AVERAGE_CNN = card("cifar100-lucir-b50-5");
    private static final ReferenceCard FINAL_CNN = card("cifar100-abd-5");
    private static final ReferenceCard AVERAGE_NME = card("cifar100-icarl-mnemonics-b50-5");

    static List<String> presetsWithCards() {
        return PRESETS.list().stream()
                .filter(p -> p.reference() != null)
                .map(PresetCatalog.Preset::name)
                .toList();
    }

    private static ReferenceCard card(String preset) {
        return PRESETS.find(preset).orElseThrow().reference();
    }

    /** The resolved spec a submission of this body stores, by the submission's own path. */
    private static String stored(String body) {
        return JSON.writeValueAsString(
                ENGINE.plan(READER.read(body.getBytes(StandardCharsets.UTF_8)).spec())
                        .spec());
    }

    private static Experiment run(String body, ExperimentStatus status) {
        Experiment experiment = new Experiment(
                UUID.randomUUID(), "run", body, stored(body), "{}", 7, "hash", 3, null, "owner", "{}", Instant.EPOCH);
        experiment.transition(status, Instant.EPOCH);
        return experiment;
    }

    private static PhaseRepository phases(Experiment experiment, Double[] cnn, Double[] nme) {
        List<Phase> phases = new ArrayList<>();
        for (int i = 0; i < cnn.length; i++) {
            Phase phase = new Phase(experiment.getId(), i, "[]");
            phase.complete("cnn", cnn[i], cnn[i], nme[i], null, 0.5, null, null, 0, 0, 1, 1, Instant.EPOCH);
            phases.add(phase);
        }
        PhaseRepository repository = mock(PhaseRepository.class);
        when(repository.findByExperiment(experiment.getId())).thenReturn(phases);
        return repository;
    }

    private static Reference check(String body, ExperimentStatus status, Double[] cnn, Double[] nme) {
        Experiment experiment = run(body, status);
        return new ReferenceCheck(READER, DATASETS, phases(experiment, cnn, nme)).of(experiment);
    }

    private static final Double[] CNN = {0.80, 0.70, 0.60};
    private static final Double[] NME = {0.75, 0.65, 0.50};

    @ParameterizedTest
    @MethodSource("presetsWithCards")
    void aPresetRunAsItIsMatchesItsCardWhateverItsSeed(String preset) {
        Reference reference = check("{\"preset\":\"" + preset + "\",\"seed\":7}", ExperimentStatus.SUCCEEDED, CNN, NME);

        assertThat(reference.status()).isEqualTo(ReferenceStatus.COMPARED);
        assertThat(reference.differences()).isEmpty();
        assertThat(reference.card()).isEqualTo(card(preset));
        assertThat(reference.referenceDelta())
                .isCloseTo(reference.runPercent() - card(preset).percent(), within(1e-12));
    }

    @Test
    void averageIncrementalAccuracyIsTheMeanOverEveryPhaseOfTheCardsClassifier() {
        Reference cnn = check("{\"preset\":\"cifar100-lucir-b50-5\"}", ExperimentStatus.SUCCEEDED, CNN, NME);
        // (80 + 70 + 60) / 3 = 70; LUCIR's published 63.17
        assertThat(cnn.runPercent()).isCloseTo(70.0, within(1e-9));
        assertThat(cnn.referenceDelta()).isCloseTo(70.0 - 63.17, within(1e-9));

        Reference nme = check("{\"preset\":\"cifar100-icarl-mnemonics-b50-5\"}", ExperimentStatus.SUCCEEDED, CNN, NME);
        // (75 + 65 + 50) / 3 = 63.333…; iCaRL w/ mnemonics' published 59.88
        assertThat(nme.runPercent()).isCloseTo(190.0 / 3, within(1e-9));
        assertThat(nme.referenceDelta()).isCloseTo(190.0 / 3 - 59.88, within(1e-9));
    }

    @Test
    void finalAccuracyIsTheLastPhasesOnly() {
        Reference reference = check("{\"preset\":\"cifar100-abd-5\"}", ExperimentStatus.SUCCEEDED, CNN, new Double[3]);

        assertThat(reference.runPercent()).isCloseTo(60.0, within(1e-9));
        assertThat(reference.referenceDelta()).isCloseTo(60.0 - 43.9, within(1e-9));
        assertThat(reference.explanation()).contains("averages 3 runs");
    }

    @Test
    void aChangedFieldIsNamedWithBothValuesAndGivesNoDelta() {
        Reference reference = check(
                "{\"preset\":\"cifar100-lucir-b50-10\",\"training\":{\"epochs\":2}}",
                ExperimentStatus.SUCCEEDED,
                CNN,
                NME);

        assertThat(reference.status()).isEqualTo(ReferenceStatus.SPEC_DIFFERS);
        assertThat(reference.referenceDelta()).isNull();
        assertThat(reference.runPercent()).isNull();
        assertThat(reference.differences()).singleElement().satisfies(d -> {
            assertThat(d.field()).isEqualTo("training.epochs");
            assertThat(d.run().asInt()).isEqualTo(2);
            assertThat(d.preset().asInt()).isEqualTo(160);
        });
        assertThat(reference.explanation()).contains("training.epochs");
    }

    @Test
    void everyChangedConditionIsNamedAFieldThePresetLeavesToDefaultsToo() {
        // total instead of perClass memory, NME-scored iCaRL instead of LUCIR, a base-phase schedule the preset has not
        Reference reference = check("""
                {"preset":"cifar100-lucir-b50-5","method":{"name":"icarl"},"model":{"head":"linear"},
                 "memory":{"selector":"herding","perClass":null,"total":2000},"training":{"base":{"epochs":200}}}""", ExperimentStatus.SUCCEEDED, CNN, NME);

        assertThat(reference.status()).isEqualTo(ReferenceStatus.SPEC_DIFFERS);
        assertThat(reference.differences())
                .extracting(ExperimentViews.SpecDifference::field)
                .contains("method.name", "model.head", "memory.perClass", "memory.total", "training.base");
        var total = reference.differences().stream()
                .filter(d -> d.field().equals("memory.total"))
                .findFirst()
                .orElseThrow();
        assertThat(total.run().asInt()).isEqualTo(2000);
        assertThat(total.preset()).isNull();
    }

    @Test
    void anOverrideThatRepeatsThePresetsValueChangesNothing() {
        Reference reference = check(
                "{\"preset\":\"cifar100-lucir-b50-5\",\"name\":\"mine\",\"training\":{\"epochs\":160,"
                        + "\"optimizer\":{\"name\":\"sgd\",\"lr\":1e-1,\"momentum\":0.9,\"weightDecay\":0.0005}}}",
                ExperimentStatus.SUCCEEDED,
                CNN,
                NME);

        assertThat(reference.status()).isEqualTo(ReferenceStatus.COMPARED);
        assertThat(reference.differences()).isEmpty();
    }

    @Test
    void anUnfinishedRunShowsTheCardWithoutADelta() {
        for (ExperimentStatus status :
                List.of(ExperimentStatus.RUNNING, ExperimentStatus.FAILED, ExperimentStatus.CANCELLED)) {
            Reference reference = check("{\"preset\":\"cifar100-lucir-b50-5\"}", status, CNN, NME);
            assertThat(reference.status()).as(status.name()).isEqualTo(ReferenceStatus.NOT_FINISHED);
            assertThat(reference.referenceDelta()).isNull();
            assertThat(reference.card()).isEqualTo(AVERAGE_CNN);
        }
    }

    @Test
    void aPhaseWithoutTheCardsClassifierGivesNoDelta() {
        Double[] nme = {0.75, null, 0.50};
        Reference reference =
                check("{\"preset\":\"cifar100-icarl-mnemonics-b50-10\"}", ExperimentStatus.SUCCEEDED, CNN, nme);

        assertThat(reference.status()).isEqualTo(ReferenceStatus.CLASSIFIER_MISSING);
        assertThat(reference.referenceDelta()).isNull();
        assertThat(reference.explanation()).contains("phase 1", "accuracy.nme");
    }

    @Test
    void aRunWithoutAPresetOrOfAPresetWithoutACardHasNoReference() {
        String spec = """
                {"dataset":{"name":"mnist"},"protocol":{"initialClasses":2,"increment":2},"model":{"backbone":"mlp"},
                 "method":{"name":"icarl"},"memory":{"perClass":20},"training":{"iterations":10}}""";
        assertThat(check(spec, ExperimentStatus.SUCCEEDED, CNN, NME)).isNull();
        assertThat(check("{\"preset\":\"split-mnist\"}", ExperimentStatus.SUCCEEDED, CNN, NME))
                .isNull();
    }

    @Test
    void numbersCompareByValueAndArraysElementByElement() {
        JsonNode preset =
                JSON.readTree("{\"name\":\"a\",\"seed\":1,\"training\":{\"lr\":0.1,\"milestones\":[80,120]}}");
        JsonNode equal =
                JSON.readTree("{\"name\":\"b\",\"seed\":2,\"training\":{\"lr\":1e-1,\"milestones\":[80.0,120]}}");
        JsonNode other = JSON.readTree("{\"training\":{\"lr\":0.1,\"milestones\":[80,121]},\"preset\":\"x\"}");

        assertThat(ReferenceCheck.compare("p", AVERAGE_CNN, preset, equal, true, Arrays.asList(0.5))
                        .status())
                .isEqualTo(ReferenceStatus.COMPARED);
        assertThat(ReferenceCheck.compare("p", AVERAGE_CNN, preset, other, true, Arrays.asList(0.5))
                        .differences())
                .extracting(ExperimentViews.SpecDifference::field)
                .containsExactly("training.milestones");
        assertThat(ReferenceCheck.compare("p", FINAL_CNN, preset, equal, true, Arrays.asList(0.25, 0.5))
                        .runPercent())
                .isEqualTo(50.0);
        assertThat(AVERAGE_NME.classifier()).isEqualTo(ReferenceCard.Classifier.NME);
    }
}
