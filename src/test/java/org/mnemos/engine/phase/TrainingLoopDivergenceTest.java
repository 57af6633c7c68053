package org.mnemos.engine.phase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.TrainingDivergedException;
import org.mnemos.engine.TrainingProgress;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;

/** A learning rate of 1e3 makes the loss overflow: the loop stops with the step and the loss instead of training on. */
class TrainingLoopDivergenceTest {

    private static final int SIZE = 4;
    private static final int SAMPLES = 32;

    private static List<TrainingProgress> train(double lr, int iterations) {
        Engine.getInstance().setRandomSeed(0);
        Random rng = new Random(0);
        byte[] pixels = new byte[SAMPLES * SIZE * SIZE];
        rng.nextBytes(pixels);
        int[] labels = new int[SAMPLES];
        List<TrainingProgress> reports = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = IncrementalNet.rebuild(
                    IncrementalNet.builderFor(new ModelSpec("mlp", List.of(16), "linear"), 1, SIZE, SIZE),
                    new Shape(1, 1, SIZE, SIZE),
                    List.of(3),
                    manager);
            ParameterStore parameters = new ParameterStore(manager, false);
            BatchTransform transform = BatchTransform.forDataset("synthetic", SIZE, SIZE, 1, false);
            try (DeviceDataset data = DeviceDataset.of(pixels, labels, SIZE, SIZE, 1, manager)) {
                // squared outputs: plain gradient descent on them overshoots further each step once lr is far too large
                TrainingLoop.StepLoss loss = (inputs, targets) -> net.forward(parameters, new NDList(inputs), true)
                        .head()
                        .square()
                        .mean();
                new TrainingLoop(new PhaseProgress(2, reports::add), CancellationSignal.NEVER)
                        .run(
                                new TrainingStage(
                                        "train",
                                        0,
                                        iterations,
                                        8,
                                        new OptimizerSpec("sgd", lr, null, null, null, null, null),
                                        null),
                                net.trainableParameters(),
                                data,
                                transform,
                                rng,
                                manager,
                                loss);
            }
        }
        return reports;
    }

    @Test
    void aNonFiniteLossStopsTheStageNamingTheStepAndTheLoss() {
        assertThatThrownBy(() -> train(1e3, 400))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageMatching(
                        "training diverged in phase 2: the loss of stage 'train' was (NaN|Infinity) at step \\d+; lower the learning rate");
    }

    @Test
    void aSaneLearningRateTrainsToTheEnd() {
        List<TrainingProgress> reports = train(1e-3, 400);
        assertThat(reports).isNotEmpty();
        assertThat(reports.get(reports.size() - 1).step()).isEqualTo(400);
        assertThat(reports)
                .allSatisfy(r -> assertThat(Double.isFinite(r.loss())).isTrue());
    }
}
