package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.PhaseState;
import org.mnemos.engine.spec.BaseTrainingSpec;
import org.mnemos.engine.spec.BicSpec;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.PodnetSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/** The wiring around the baselines' losses, as their reference code has it (issue: baselines as their references run them). */
class BaselineWiringTest {

    @TempDir
    Path dir;

    private CilEngine engine() {
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
    }

    private static ExperimentSpec spec(String backbone, String head, MethodSpec method, double lr, int channels) {
        return new ExperimentSpec(
                "wiring",
                5L,
                null,
                new DatasetSpec(
                        "synthetic", null, null, 4, backbone.equals("mlp") ? 40 : 16, 6, size(backbone), channels),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec(backbone, backbone.equals("mlp") ? List.of(32) : null, head),
                method,
                new MemorySpec("herding", 6, null),
                new TrainingSpec(
                        null,
                        backbone.equals("mlp") ? 12 : 3,
                        16,
                        new OptimizerSpec("sgd", lr, 0.9, 5e-4, false, null, null),
                        null,
                        false));
    }

    /** ResNet-32 on 8×8 images keeps the BatchNorm test quick. */
    private static int size(String backbone) {
        return backbone.equals("mlp") ? 16 : 8;
    }

    private RunPlan run(ExperimentSpec spec, Path work) {
        return LocalRun.run(engine(), spec, work, Device.cpu(), p -> {}).plan();
    }

    private static IncrementalNet load(RunPlan plan, Path stateDir, NDManager manager, int channels) {
        PhaseState state = PhaseState.read(stateDir);
        int size = size(plan.spec().model().backbone());
        var builder = IncrementalNet.builderFor(plan.spec().model(), channels, size, size);
        if (plan.spec().method() instanceof PodnetSpec podnet && podnet.proxiesPerClass() != null) {
            builder.optProxiesPerClass(podnet.proxiesPerClass());
        }
        var net = IncrementalNet.rebuild(
                builder.optBiasCorrection(Parts.create(plan.spec().method()).biasCorrectionLayer()),
                new Shape(1, channels, size, size),
                state.segmentSizes(),
                manager);
        state.loadParameters(stateDir, net, manager);
        return net;
    }

    @Test
    void theResolvedSpecNamesTheLossFinetuneRuns() {
        assertThat(engine().plan(spec("mlp", null, MethodSpec.named("finetune"), 0.05, 1))
                        .spec()
                        .method())
                .isEqualTo(new org.mnemos.engine.spec.FinetuneSpec("finetune", "allSeen"));
        MethodSpec pycil = new org.mnemos.engine.spec.FinetuneSpec("finetune", "newOnly");
        assertThat(engine().plan(spec("mlp", null, pycil, 0.05, 1)).spec().method())
                .isEqualTo(new org.mnemos.engine.spec.FinetuneSpec("finetune", "newOnly"));
    }

    @Test
    void theResolvedSpecNamesTheHeadTheMethodForces() {
        assertThat(engine().plan(spec("mlp", "linear", MethodSpec.named("podnet"), 0.05, 1))
                        .spec()
                        .model()
                        .head())
                .isEqualTo("lsc");
        assertThat(engine().plan(spec("mlp", null, MethodSpec.named("lucir"), 0.05, 1))
                        .spec()
                        .model()
                        .head())
                .isEqualTo("cosine");
        assertThat(engine().plan(spec("mlp", "cosine", MethodSpec.named("icarl"), 0.05, 1))
                        .spec()
                        .model()
                        .head())
                .isEqualTo("cosine");
        assertThat(engine().plan(spec("mlp", null, MethodSpec.named("icarl"), 0.05, 1))
                        .spec()
                        .model()
                        .head())
                .isEqualTo("linear");
    }

    @Test
    void resnet32TakesTheProjectionShortcutUnderACosineHeadAndZeroPaddingOtherwise() {
        ModelSpec lucir = engine().plan(spec("resnet32", null, MethodSpec.named("lucir"), 0.05, 3))
                .spec()
                .model();
        ModelSpec icarl = engine().plan(spec("resnet32", null, MethodSpec.named("icarl"), 0.05, 3))
                .spec()
                .model();
        assertThat(lucir.shortcut()).isEqualTo("projection");
        assertThat(icarl.shortcut()).isEqualTo("zeroPad");
        ModelSpec chosen = new ModelSpec("resnet32", null, "cosine", null, "zeroPad");
        assertThat(downsamplingParameters(lucir)).hasSize(2 * 5).allMatch(name -> name.contains("downsample"));
        assertThat(downsamplingParameters(icarl)).isEmpty();
        assertThat(downsamplingParameters(chosen)).isEmpty();
    }

    /** The projection shortcut's parameters: conv weight + BN gamma, beta, running mean and variance, in 2 blocks. */
    private static List<String> downsamplingParameters(ModelSpec model) {
        var backbone = org.mnemos.engine.model.Backbones.create(model, 3, 8, 8);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            backbone.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 3, 8, 8));
            List<String> names = new ArrayList<>();
            backbone.getParameters().forEach(pair -> {
                if (pair.getKey().contains("downsample")) {
                    names.add(pair.getKey());
                }
            });
            return names;
        }
    }

    @Test
    void podnetWeighsPodSpatialAsPycilDoesOverItsThreeStageOutputs() {
        var losses = Parts.create(MethodSpec.named("podnet")).lossesFor(4, 2);
        double factor = Math.sqrt(6.0 / 2);
        assertThat(losses)
                .contains(
                        new org.mnemos.engine.phase.loss.PodSpatialLoss(5.0 * factor),
                        new org.mnemos.engine.phase.loss.PodFlatLoss(1.0 * factor));
    }

    @Test
    void lwfKeepsAMemoryOnlyWhenItIsGivenOneAndThenRehearsesIt() throws Exception {
        ExperimentSpec given = spec("mlp", null, MethodSpec.named("lwf"), 0.05, 1);
        ExperimentSpec without = new ExperimentSpec(
                given.name(),
                given.seed(),
                null,
                given.dataset(),
                given.protocol(),
                given.model(),
                given.method(),
                null,
                given.training());
        assertThat(engine().plan(without).spec().memory())
                .as("classic LwF: no memory in the resolved spec")
                .isNull();
        assertThat(Parts.forRun(engine().plan(without).spec()).keepsExemplars()).isFalse();
        CilMethod rehearsing = Parts.forRun(engine().plan(given).spec());
        assertThat(rehearsing.keepsExemplars()).isTrue();
        assertThat(rehearsing.trainingData()).isEqualTo(org.mnemos.engine.phase.TrainingData.NEW_CLASSES_AND_EXEMPLARS);
        assertThat(rehearsing.lossesFor(2, 2))
                .first()
                .as("CE over every seen class: exemplars carry old labels")
                .isEqualTo(new org.mnemos.engine.phase.loss.CrossEntropyLoss(false));
        CilEngine engine = engine();
        RunPlan plan = engine.plan(given);
        Path previous = null;
        List<Integer> exemplars = new ArrayList<>();
        for (int phase = 0; phase < plan.phaseCount(); phase++) {
            Path state = Files.createDirectories(dir.resolve("lwf/phase-" + phase));
            exemplars.add(engine.runPhase(plan, phase, previous, state, Device.cpu(), p -> {}, () -> false)
                    .metrics()
                    .exemplarCount());
            previous = state;
        }
        assertThat(exemplars).containsExactly(2 * 6, 4 * 6);
    }

    @Test
    void podnetKeepsTheOldClassesProxiesFixedInTrainingAndFinetuning() throws Exception {
        MethodSpec podnet = new PodnetSpec("podnet", null, null, null, 2, 2);
        RunPlan plan = run(spec("mlp", null, podnet, 0.05, 1), dir.resolve("podnet"));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[] before = load(plan, dir.resolve("podnet/phase-0"), manager, 1)
                    .segmentWeight(0)
                    .toFloatArray();
            IncrementalNet after = load(plan, dir.resolve("podnet/phase-1"), manager, 1);
            assertThat(after.segmentWeight(0).toFloatArray()).containsExactly(before);
            assertThat(after.segmentWeight(1).toFloatArray())
                    .isNotEqualTo(new float[after.segmentWeight(1).toFloatArray().length]);
        }
    }

    @Test
    void aClassifierOnlyStageLeavesTheBackbonesBatchNormStatisticsAlone() throws Exception {
        // BiC's bias stage comes after the main stage: its length must not change the backbone at all
        RunPlan shortStage =
                run(spec("resnet32", null, new BicSpec("bic", null, 0.2, 1), 0.05, 3), dir.resolve("bic-1"));
        RunPlan longStage =
                run(spec("resnet32", null, new BicSpec("bic", null, 0.2, 3), 0.05, 3), dir.resolve("bic-3"));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet a = load(shortStage, dir.resolve("bic-1/phase-1"), manager, 3);
            IncrementalNet b = load(longStage, dir.resolve("bic-3/phase-1"), manager, 3);
            List<String> names = new ArrayList<>();
            a.backbone().getParameters().forEach(pair -> names.add(pair.getKey()));
            assertThat(names).anyMatch(name -> name.contains("runningMean"));
            for (var pair : a.backbone().getParameters()) {
                Parameter other = b.backbone().getParameters().get(pair.getKey());
                assertThat(other.getArray().toFloatArray())
                        .as(pair.getKey())
                        .containsExactly(pair.getValue().getArray().toFloatArray());
            }
        }
    }

    @Test
    void lucirImprintsNewWeightsAtTheOldWeightsMeanNorm() throws Exception {
        // lr ~0: the old weights keep their initial norm (about 0.58, not 1) and the new ones stay as imprinted
        ExperimentSpec base = spec("mlp", null, MethodSpec.named("lucir"), 0.05, 1);
        ExperimentSpec spec = new ExperimentSpec(
                base.name(),
                base.seed(),
                null,
                base.dataset(),
                base.protocol(),
                base.model(),
                base.method(),
                base.memory(),
                new TrainingSpec(
                        null, 1, 16, new OptimizerSpec("sgd", 1e-12, 0.0, 0.0, false, null, null), null, false));
        RunPlan plan = run(spec, dir.resolve("lucir"));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = load(plan, dir.resolve("lucir/phase-1"), manager, 1);
            double oldNorm = net.segmentWeight(0).norm(new int[] {1}).mean().getFloat();
            float[] newNorms = net.segmentWeight(1).norm(new int[] {1}).toFloatArray();
            assertThat(oldNorm).isNotCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
            for (float norm : newNorms) {
                assertThat((double) norm).isCloseTo(oldNorm, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void phaseZeroTakesTheBaseOverridesAndTheOtherPhasesDoNot() throws Exception {
        // main: 12 steps at lr 0.05; base: 5 steps at lr ~0, so phase 0 leaves the initial weights as they are
        ExperimentSpec main = spec("mlp", null, MethodSpec.named("finetune"), 0.05, 1);
        BaseTrainingSpec frozen =
                new BaseTrainingSpec(null, 5, new OptimizerSpec("sgd", 1e-12, 0.0, 0.0, false, null, null), null);
        ExperimentSpec withBase = new ExperimentSpec(
                main.name(),
                main.seed(),
                null,
                main.dataset(),
                main.protocol(),
                main.model(),
                main.method(),
                main.memory(),
                new TrainingSpec(null, 12, 16, main.training().optimizer(), null, false, null, frozen));
        ExperimentSpec withLongerBase = new ExperimentSpec(
                main.name(),
                main.seed(),
                null,
                main.dataset(),
                main.protocol(),
                main.model(),
                main.method(),
                main.memory(),
                new TrainingSpec(
                        null,
                        12,
                        16,
                        main.training().optimizer(),
                        null,
                        false,
                        null,
                        new BaseTrainingSpec(null, 9, frozen.optimizer(), null)));
        List<Long> plannedSteps = new ArrayList<>();
        CilEngine engine = engine();
        RunPlan plan = engine.plan(withBase);
        Path previous = null;
        for (int phase = 0; phase < plan.phaseCount(); phase++) {
            Path state = Files.createDirectories(dir.resolve("base/phase-" + phase));
            long[] total = {0};
            engine.runPhase(
                    plan,
                    phase,
                    previous,
                    state,
                    Device.cpu(),
                    p -> total[0] = Math.max(total[0], p.totalSteps()),
                    () -> false);
            plannedSteps.add(total[0]);
            previous = state;
        }
        assertThat(plannedSteps).containsExactly(5L, 12L);
        run(main, dir.resolve("main"));
        run(withLongerBase, dir.resolve("longer"));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[] base = load(plan, dir.resolve("base/phase-0"), manager, 1)
                    .segmentWeight(0)
                    .toFloatArray();
            float[] longerBase = load(plan, dir.resolve("longer/phase-0"), manager, 1)
                    .segmentWeight(0)
                    .toFloatArray();
            float[] trained = load(plan, dir.resolve("main/phase-0"), manager, 1)
                    .segmentWeight(0)
                    .toFloatArray();
            float[] nextPhase = load(plan, dir.resolve("base/phase-1"), manager, 1)
                    .segmentWeight(0)
                    .toFloatArray();
            assertThat(longerBase)
                    .as("phase 0 ran at the base lr, so 5 or 9 steps leave the same weights")
                    .containsExactly(base);
            assertThat(maxDifference(base, trained))
                    .as("without the override phase 0 trains at lr 0.05")
                    .isGreaterThan(1e-3);
            assertThat(maxDifference(base, nextPhase))
                    .as("phase 1 trains at the phases' lr")
                    .isGreaterThan(1e-3);
        }
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
