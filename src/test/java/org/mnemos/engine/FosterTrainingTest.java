package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.model.BoostedBackbone;
import org.mnemos.engine.model.HeadType;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.parts.method.foster.StudentAccuracyReport;
import org.mnemos.engine.phase.PhaseState;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.FosterSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * FOSTER end to end on small synthetic data with an MLP (the ResNet-18 path is in
 * {@code Food101PathTest}): phase 0 trains one network, later
 * phases show a boosting and a compression stage with their own schedules, save the two-extractor
 * teacher (evaluated) and the single-extractor student (continued from), and a phase resumed by
 * another engine from the saved state reproduces the uninterrupted run.
 */
class FosterTrainingTest {

    @TempDir
    Path dir;

    private CilEngine engine() {
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
    }

    private static ExperimentSpec spec() {
        MethodSpec method = new FosterSpec("foster", 0.95, 0.97, 2.0, 1.0, 2, 0.05, false, true, 1.0, "ft");
        return new ExperimentSpec(
                "foster",
                7L,
                null,
                new DatasetSpec("synthetic", null, null, 6, 24, 8, 8, 1),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", List.of(32), null),
                method,
                new MemorySpec("herding", 4, null),
                new TrainingSpec(
                        3,
                        null,
                        16,
                        new OptimizerSpec("sgd", 0.05, 0.9, 5e-4, false, null, null),
                        new ScheduleSpec("cosine", null, null),
                        false));
    }

    private List<PhaseMetrics> run(CilEngine engine, ExperimentSpec spec, Path work, List<TrainingProgress> progress) {
        return LocalRun.run(engine, spec, work, Device.cpu(), progress::add).phases();
    }

    @Test
    void boostsCompressesAndResumesFromTheSavedStudent() throws Exception {
        ExperimentSpec spec = spec();
        List<TrainingProgress> progress = new ArrayList<>();
        List<PhaseMetrics> first = run(engine(), spec, dir.resolve("a"), progress);

        assertThat(first).hasSize(3);
        assertThat(first.get(2).exemplarCount()).isEqualTo(6 * 4);
        assertThat(first.get(2).accuracyRow()).hasSize(3);
        assertThat(progress.stream()
                        .filter(p -> p.phase() == 0)
                        .map(TrainingProgress::stage)
                        .distinct())
                .containsExactly("train");
        assertThat(progress.stream()
                        .filter(p -> p.phase() == 1)
                        .map(TrainingProgress::stage)
                        .distinct())
                .containsExactly("boosting", "compression");
        assertThat(progress.stream()
                        .filter(p -> p.stage().equals("compression"))
                        .map(TrainingProgress::epochs)
                        .distinct())
                .containsExactly(2);
        assertThat(progress.stream()
                        .filter(p -> p.stage().equals("boosting"))
                        .map(TrainingProgress::epochs)
                        .distinct())
                .containsExactly(3);
        assertThat(progress.stream()
                        .filter(p -> p.phase() == 2)
                        .mapToDouble(TrainingProgress::fraction)
                        .max()
                        .orElseThrow())
                .isEqualTo(1.0);
        assertThat(dir.resolve("a/phase-0").resolve(PhaseState.SUCCESSOR_FILE)).doesNotExist();
        assertThat(dir.resolve("a/phase-1").resolve(PhaseState.SUCCESSOR_FILE)).exists();
        // the student is evaluated beside the teacher where there is one
        assertThat(first.get(0).report(StudentAccuracyReport.class)).isNull();
        for (int phase = 1; phase < 3; phase++) {
            // a separate network: on this seed the short compression stage leaves it below the teacher
            assertThat(first.get(phase).report(StudentAccuracyReport.class).accuracy())
                    .isBetween(0.0, 1.0)
                    .isNotEqualTo(first.get(phase).accuracy());
        }
        // the teacher trains its new extractor and head (plus the new extractor's classifier); the old extractor is
        // frozen
        assertThat(first.get(1).trainableParameters()).isLessThan(first.get(1).totalParameters());

        // a fresh engine (another worker) continues phase 2 from phase 1's saved student
        CilEngine other = engine();
        RunPlan plan = other.plan(spec);
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        PhaseMetrics phase2 = other.runPhase(
                        plan, 2, dir.resolve("a/phase-1"), resumed, Device.cpu(), p -> {}, () -> false)
                .metrics();
        assertThat(phase2.accuracy()).isEqualTo(first.get(2).accuracy());
        assertThat(phase2.perClassAccuracy()).isEqualTo(first.get(2).perClassAccuracy());
        assertThat(phase2.report(StudentAccuracyReport.class).accuracy())
                .isEqualTo(first.get(2).report(StudentAccuracyReport.class).accuracy());

        // the saved teacher re-evaluates to the metrics it reported
        PhaseMetrics reEvaluated = other.evaluate(plan, 2, dir.resolve("a/phase-2"), Device.cpu());
        assertThat(reEvaluated.accuracy()).isEqualTo(first.get(2).accuracy());
        assertThat(reEvaluated.cnnAccuracy()).isEqualTo(first.get(2).cnnAccuracy());
    }

    @Test
    void theStudentKeepsThePreviousExtractorAsItsStartAndTheTeacherFreezesIt() throws Exception {
        ExperimentSpec spec = spec();
        run(engine(), spec, dir.resolve("b"), new ArrayList<>());
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape input = new Shape(1, 1, 8, 8);
            RunPlan plan = engine().plan(spec);
            PhaseState phase0 = PhaseState.read(dir.resolve("b/phase-0"));
            IncrementalNet single = IncrementalNet.rebuild(
                    IncrementalNet.builderFor(plan.spec().model(), 1, 8, 8), input, phase0.segmentSizes(), manager);
            phase0.loadParameters(dir.resolve("b/phase-0"), single, manager);

            PhaseState phase1 = PhaseState.read(dir.resolve("b/phase-1"));
            IncrementalNet teacher = IncrementalNet.rebuild(
                    IncrementalNet.builder()
                            .setBackbone(BoostedBackbone.builder()
                                    .setBase(single.backbone().sameArchitecture())
                                    .build())
                            .optHead(HeadType.LINEAR),
                    input,
                    phase1.segmentSizes(),
                    manager);
            phase1.loadParameters(dir.resolve("b/phase-1"), teacher, manager);
            BoostedBackbone boosted = (BoostedBackbone) teacher.backbone();
            // the old extractor is phase 0's network, untouched by boosting
            for (var entry : single.backbone().getParameters()) {
                assertThat(boosted.oldExtractor()
                                .getParameters()
                                .get(entry.getKey())
                                .getArray()
                                .toFloatArray())
                        .containsExactly(entry.getValue().getArray().toFloatArray());
            }
            // the new extractor moved away from it
            var newConv =
                    boosted.newExtractor().getParameters().valueAt(0).getArray().toFloatArray();
            assertThat(newConv)
                    .isNotEqualTo(single.backbone()
                            .getParameters()
                            .valueAt(0)
                            .getArray()
                            .toFloatArray());
            assertThat(teacher.segmentWeight(0).getShape()).isEqualTo(new Shape(2, 64));
        }
    }
}
