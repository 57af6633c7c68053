package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.PyCilStateDict;
import org.mnemos.engine.model.interop.SafeTensors;
import org.mnemos.engine.phase.PhaseState;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InitSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/** {@code model.init}: phase 0 from an uploaded PyTorch-layout checkpoint. */
class ModelInitTest {

    @TempDir
    Path work;

    private final Map<String, Path> uploads = new HashMap<>();

    private CilEngine engine() {
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(work))), uploads::get);
    }

    private static ExperimentSpec spec(List<Integer> hidden, InitSpec init) {
        return new ExperimentSpec(
                "init",
                5L,
                null,
                new DatasetSpec("synthetic", null, null, 4, 40, 10, 8, 1),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", hidden, "linear", null, null, init),
                MethodSpec.named("icarl"),
                new MemorySpec("herding", 5, null),
                new TrainingSpec(
                        null, 20, 16, new OptimizerSpec("sgd", 0.05, 0.9, 0.0, false, null, null), null, false));
    }

    /** Phase 0 trained from scratch, and its network written as the {@code ?format=pytorch} export writes it. */
    private PhaseMetrics trainAndExport(CilEngine engine, Path checkpoint, String classes) throws Exception {
        RunPlan plan = engine.plan(spec(List.of(32), null));
        Path state = Files.createDirectories(work.resolve("trained"));
        PhaseMetrics trained = engine.runPhase(plan, 0, null, state, Device.cpu(), p -> {}, () -> false)
                .metrics();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            PhaseState saved = PhaseState.read(state);
            IncrementalNet net = IncrementalNet.rebuild(plan.spec().model(), 1, 8, 8, saved.segmentSizes(), manager);
            saved.loadParameters(state, net, manager);
            SafeTensors.write(checkpoint, PyCilStateDict.export(net), Map.of("classes", classes));
        }
        return trained;
    }

    @Test
    void anUploadedPhaseZeroModelIsEvaluatedAsGivenAndTheRunContinues() throws Exception {
        CilEngine engine = engine();
        Path checkpoint = work.resolve("upload.safetensors");
        PhaseMetrics trained = trainAndExport(engine, checkpoint, "[0,1]");
        uploads.put("c1", checkpoint);

        RunPlan plan = engine.plan(spec(List.of(32), new InitSpec("c1", "phase0")));
        Path phase0 = Files.createDirectories(work.resolve("phase0"));
        PhaseMetrics given = engine.runPhase(plan, 0, null, phase0, Device.cpu(), p -> {}, () -> false)
                .metrics();
        assertThat(given.cnnAccuracy()).isEqualTo(trained.cnnAccuracy());
        assertThat(given.accuracy()).isEqualTo(trained.accuracy());
        assertThat(given.perClassAccuracy()).isEqualTo(trained.perClassAccuracy());

        Path phase1 = Files.createDirectories(work.resolve("phase1"));
        PhaseMetrics next = engine.runPhase(plan, 1, phase0, phase1, Device.cpu(), p -> {}, () -> false)
                .metrics();
        assertThat(next.perClassAccuracy()).hasSize(4);

        RunPlan start = engine.plan(spec(List.of(32), new InitSpec("c1", null)));
        assertThat(start.spec().model().init().use()).as("resolved").isEqualTo(InitSpec.START);
        Path started = Files.createDirectories(work.resolve("started"));
        engine.runPhase(start, 0, null, started, Device.cpu(), p -> {}, () -> false);
        assertThat(Files.readAllBytes(started.resolve(PhaseState.MODEL_FILE)))
                .as("phase 0 trained on from the checkpoint")
                .isNotEqualTo(Files.readAllBytes(phase0.resolve(PhaseState.MODEL_FILE)));
    }

    @Test
    void checkpointsThatDoNotFitAreSpecErrorsNamingTheTensor() throws Exception {
        CilEngine engine = engine();
        Path checkpoint = work.resolve("upload.safetensors");
        trainAndExport(engine, checkpoint, "[0,1]");
        uploads.put("c1", checkpoint);
        Path reordered = work.resolve("reordered.safetensors");
        var file = SafeTensors.read(checkpoint);
        List<org.mnemos.engine.model.interop.Tensor> tensors = new java.util.ArrayList<>();
        for (var entry : file.entries()) {
            tensors.add(file.tensor(entry.name()));
        }
        SafeTensors.write(reordered, tensors, Map.of("classes", "[1,0]"));
        uploads.put("reordered", reordered);

        assertThatThrownBy(() -> engine.plan(spec(List.of(16), new InitSpec("c1", "phase0"))))
                .isInstanceOfSatisfying(
                        SpecException.class, e -> assertThat(e.field()).isEqualTo("model.init.checkpoint"))
                .hasMessageContaining(
                        "tensor 'convnet.hidden.0.weight': has shape [32, 64]; this network needs [16, 64]");
        assertThatThrownBy(() -> engine.plan(spec(List.of(32), new InitSpec("nope", null))))
                .hasMessageContaining("no uploaded checkpoint has the id 'nope'");
        assertThatThrownBy(() -> engine.plan(spec(List.of(32), new InitSpec("reordered", null))))
                .hasMessageContaining("head rows are classes [1, 0], but phase 0 of this run learns [0, 1]");
        assertThatThrownBy(() -> engine.plan(spec(List.of(32), new InitSpec("c1", "later"))))
                .isInstanceOfSatisfying(
                        SpecException.class, e -> assertThat(e.field()).isEqualTo("model.init.use"));
    }
}
