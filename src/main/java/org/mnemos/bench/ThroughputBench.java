package org.mnemos.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Random;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.TrainingListener;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.phase.PhaseProgress;
import org.mnemos.engine.phase.TrainingLoop;
import org.mnemos.engine.phase.TrainingStage;
import org.mnemos.engine.phase.loss.CrossEntropyLoss;
import org.mnemos.engine.phase.loss.StepContext;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;

/**
 * Training throughput of the engine's own loop (on-device batches, augmentation off, cross-entropy,
 * optimizer step) on random images already on the device: the figure compared with PyTorch's.
 */
public final class ThroughputBench {

    public record Figure(String model, int batch, int threads, double imagesPerSecond) {}

    private ThroughputBench() {}

    public static Figure mlp(int steps) {
        return mlp(steps, 128, Device.cpu());
    }

    public static Figure resnet32(int steps) {
        return resnet32(steps, 128, Device.cpu());
    }

    public static Figure mlp(int steps, int batch, Device device) {
        return measure(
                "mlp 784-400-400",
                new ModelSpec("mlp", List.of(400, 400), "linear"),
                1,
                28,
                new OptimizerSpec("adam", 1e-3, null, 0.0, null, 0.9, 0.999),
                steps,
                batch,
                device);
    }

    public static Figure resnet32(int steps, int batch, Device device) {
        return measure(
                "resnet32",
                new ModelSpec("resnet32", null, "linear"),
                3,
                32,
                new OptimizerSpec("sgd", 0.1, 0.9, 5e-4, false, null, null),
                steps,
                batch,
                device);
    }

    private static Figure measure(
            String name,
            ModelSpec model,
            int channels,
            int size,
            OptimizerSpec optimizer,
            int steps,
            int batch,
            Device device) {
        int samples = Math.max(2048, 4 * batch);
        Engine.getInstance().setRandomSeed(0);
        Random rng = new Random(0);
        byte[] pixels = new byte[samples * size * size * channels];
        rng.nextBytes(pixels);
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = rng.nextInt(10);
        }
        try (NDManager manager = NDManager.newBaseManager(device)) {
            IncrementalNet net = IncrementalNet.rebuild(
                    IncrementalNet.builderFor(model, channels, size, size),
                    new Shape(1, channels, size, size),
                    List.of(10),
                    manager);
            ParameterStore parameters = new ParameterStore(manager, false);
            BatchTransform transform = BatchTransform.forDataset("synthetic", size, size, channels, false);
            var trainable = net.trainableParameters();
            CrossEntropyLoss loss = new CrossEntropyLoss(false);
            try (DeviceDataset data = DeviceDataset.of(pixels, labels, size, size, channels, manager)) {
                TrainingLoop.StepLoss step = (inputs, targets) -> loss.compute(
                        new StepContext(net.forward(parameters, new NDList(inputs), true), null, targets, 0, 10, null));
                // warm-up, then the timed run
                new TrainingLoop(new PhaseProgress(0, TrainingListener.NONE), CancellationSignal.NEVER)
                        .run(
                                new TrainingStage("warmup", 0, 10, batch, optimizer, null),
                                trainable,
                                data,
                                transform,
                                rng,
                                manager,
                                step);
                long start = System.nanoTime();
                new TrainingLoop(new PhaseProgress(0, TrainingListener.NONE), CancellationSignal.NEVER)
                        .run(
                                new TrainingStage("timed", 0, steps, batch, optimizer, null),
                                trainable,
                                data,
                                transform,
                                rng,
                                manager,
                                step);
                // reading a weight waits for every queued kernel: on a GPU the loop may return before they finish
                trainable.get(0).getArray().sum().getFloat();
                double seconds = (System.nanoTime() - start) / 1e9;
                int threads = Engine.getInstance().getEngineName().equals("PyTorch")
                        ? Integer.getInteger(
                                "ai.djl.pytorch.num_interop_threads",
                                Runtime.getRuntime().availableProcessors())
                        : 0;
                return new Figure(name, batch, threads, steps * (double) batch / seconds);
            }
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        for (Figure f : List.of(mlp(steps * 5), resnet32(steps / 4))) {
            System.out.printf("mnemos %s batch=%d: %.1f images/s%n", f.model(), f.batch(), f.imagesPerSecond());
        }
    }
}
