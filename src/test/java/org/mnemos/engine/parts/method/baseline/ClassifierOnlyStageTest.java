package org.mnemos.engine.parts.method.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.optim.Gradients;
import org.mnemos.engine.phase.PhaseContext;
import org.mnemos.engine.phase.PhaseProgress;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;
import org.mnemos.engine.phase.TrainingLoop;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.ScheduleSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * A stage that trains only the head (BiC's bias layer, class-balanced finetuning) computes the
 * backbone's outputs without recording them, so backward never reaches the backbone.
 */
class ClassifierOnlyStageTest {

    private static final int SIZE = 8;
    private static final int IMAGES = 24;

    @Test
    void backwardOfAHeadOnlyStageStopsAtTheHead() {
        Engine.getInstance().setRandomSeed(3);
        Random rng = new Random(3);
        ModelSpec model = new ModelSpec("resnet8", null, "linear");
        ExperimentSpec spec = new ExperimentSpec(
                "head-only",
                3L,
                null,
                DatasetSpec.named("synthetic"),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                model,
                MethodSpec.named("replay"),
                new MemorySpec("herding", 2, null),
                new TrainingSpec(1, null, 8, new OptimizerSpec("sgd", 0.1, 0.9, 0.0, false, null, null), null, false));
        byte[] pixels = new byte[IMAGES * SIZE * SIZE * 3];
        rng.nextBytes(pixels);
        int[] labels = new int[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            labels[i] = i % 4;
        }
        Samples samples = new Samples(pixels, labels, SIZE * SIZE * 3);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = IncrementalNet.rebuild(
                    IncrementalNet.builderFor(model, 3, SIZE, SIZE),
                    new Shape(1, 3, SIZE, SIZE),
                    List.of(2, 2),
                    manager);
            BatchTransform transform = BatchTransform.forDataset("synthetic", SIZE, SIZE, 3, false);
            PhaseSession session = new PhaseSession(
                    new PhaseContext(
                            spec,
                            1,
                            2,
                            4,
                            net,
                            null,
                            manager,
                            transform,
                            transform,
                            rng,
                            new TrainingLoop(new PhaseProgress(1, p -> {}), CancellationSignal.NEVER),
                            SIZE,
                            SIZE,
                            3,
                            new int[0],
                            false),
                    samples,
                    ExemplarSet.empty(SIZE, SIZE, 3));
            List<Parameter> head = session.headParameters();
            List<Parameter> backbone =
                    List.copyOf(net.backbone().getParameters().values());
            Gradients.zero(net.trainableParameters());
            float[] headBefore = net.segmentWeight(1).toFloatArray();
            float[][] backboneBefore =
                    backbone.stream().map(p -> p.getArray().toFloatArray()).toArray(float[][]::new);

            session.train(
                    session.extraStage(
                            "head-only",
                            2,
                            new OptimizerSpec("sgd", 0.1, 0.9, 0.0, false, null, null),
                            new ScheduleSpec("constant", null, null)),
                    head,
                    samples,
                    List.of(new CrossEntropyLoss(false)));

            assertThat(net.segmentWeight(1).toFloatArray()).isNotEqualTo(headBefore);
            for (int i = 0; i < backbone.size(); i++) {
                NDArray array = backbone.get(i).getArray();
                assertThat(array.toFloatArray()).as(backbone.get(i).getName()).containsExactly(backboneBefore[i]);
                if (array.hasGradient()) {
                    assertThat(array.getGradient().abs().sum().getFloat())
                            .as(backbone.get(i).getName() + " gradient")
                            .isZero();
                }
            }
        }
    }
}
