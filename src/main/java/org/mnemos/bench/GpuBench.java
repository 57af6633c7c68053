package org.mnemos.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mnemos.engine.CancellationSignal;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.PhaseOutcome;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.TrainingListener;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;

/**
 * The GPU bench ({@code bench/run.sh gpu}): the training step's throughput at batch 128 (MLP,
 * ResNet-32) and 512 (ResNet-32), printed next to PyTorch eager's by {@code bench/run.sh}, then one
 * CIFAR-shaped phase on synthetic data (ResNet-32, 50 classes × 500 images of 32×32×3, 2 epochs,
 * iCaRL with 20 exemplars per class) in seconds per epoch, to size a paper protocol. Runs on the
 * first GPU the engine sees, else on the CPU, and says which.
 */
final class GpuBench {

    private static final int CIFAR_CLASSES = 50;
    private static final int CIFAR_EPOCHS = 2;

    private GpuBench() {}

    static void run(Path data, int steps, int imagesPerClass) throws IOException {
        boolean gpu = Engine.getEngine("PyTorch").getGpuCount() > 0;
        Device device = gpu ? Device.gpu() : Device.cpu();
        System.out.printf(
                "## GPU bench on %s%s%n%n",
                device, gpu ? "" : " (the engine sees no GPU: CPU figures; see README, 'Run on a GPU')");
        System.out.println("| training step, fp32 | images/s |");
        System.out.println("|---|---:|");
        for (ThroughputBench.Figure f : List.of(
                ThroughputBench.mlp(steps * 10, 128, device),
                ThroughputBench.resnet32(steps, 128, device),
                ThroughputBench.resnet32(Math.max(1, steps / 4), 512, device))) {
            System.out.printf("| mnemos %s, batch %d | %.0f |%n", f.model(), f.batch(), f.imagesPerSecond());
        }
        System.out.println();
        cifarShapedPhase(data, device, imagesPerClass);
    }

    private static void cifarShapedPhase(Path data, Device device, int imagesPerClass) throws IOException {
        ExperimentSpec spec = new ExperimentSpec(
                "gpu-bench-cifar-shaped",
                0L,
                null,
                new DatasetSpec(
                        "synthetic",
                        null,
                        null,
                        2 * CIFAR_CLASSES,
                        imagesPerClass,
                        Math.min(100, imagesPerClass),
                        32,
                        3),
                new ProtocolSpec(CIFAR_CLASSES, 10, null, null, "natural", null, null),
                new ModelSpec("resnet32", null, "linear"),
                MethodSpec.named("icarl"),
                new MemorySpec("herding", 20, null),
                new TrainingSpec(
                        CIFAR_EPOCHS,
                        null,
                        128,
                        new OptimizerSpec("sgd", 0.1, 0.9, 5e-4, false, null, null),
                        null,
                        true));
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        RunPlan plan = engine.plan(spec);
        Path state = Files.createTempDirectory("mnemos-gpu-bench");
        long start = System.nanoTime();
        PhaseOutcome outcome =
                engine.runPhase(plan, 0, null, state, device, TrainingListener.NONE, CancellationSignal.NEVER);
        double phaseSeconds = (System.nanoTime() - start) / 1e9;
        double epochSeconds =
                (double) CIFAR_CLASSES * imagesPerClass / outcome.metrics().imagesPerSecond();
        System.out.printf(
                "CIFAR-shaped phase 0 (ResNet-32, %d classes × %d synthetic 32×32×3 images, %d epochs, batch 128,"
                        + " augmentation on, iCaRL, herding 20/class): %.1f s per training epoch (%.0f images/s);"
                        + " whole phase %.1f s including data generation, herding and evaluation%n%n",
                CIFAR_CLASSES,
                imagesPerClass,
                CIFAR_EPOCHS,
                epochSeconds,
                outcome.metrics().imagesPerSecond(),
                phaseSeconds);
    }
}
