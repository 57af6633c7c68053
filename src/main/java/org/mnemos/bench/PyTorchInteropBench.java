package org.mnemos.bench;

import ai.djl.Device;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.PyTorchCheckpoint;
import org.mnemos.engine.RunPlan;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.DatasetSplits;
import org.mnemos.engine.data.ImageDataset;
import org.mnemos.engine.metrics.PhaseMetrics;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InitSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code bench/run.sh pytorch-interop}: both directions of the PyTorch checkpoints on Split-MNIST
 * (3 phases of 2 classes). For each network, Mnemos trains the run and exports every phase with
 * {@code ?format=pytorch}'s writer; {@code bench/pytorch_interop.py} (Debian's python3-torch) loads
 * each export with its {@code load.py}, measures the CNN (and NME) test accuracy in PyTorch, then
 * trains a phase-0 network of the same architecture in PyTorch and saves it as safetensors; Mnemos
 * imports that as {@code model.init} with {@code use: phase0} and evaluates it on the same test split.
 */
final class PyTorchInteropBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The networks compared: backbone, head (via the method) and shortcut. */
    private record Network(String label, ModelSpec model, String method) {}

    private static final List<Network> NETWORKS = List.of(
            new Network(
                    "MLP 784-400-400, linear head (iCaRL)", new ModelSpec("mlp", List.of(400, 400), "linear"), "icarl"),
            new Network(
                    "ResNet-8, zero-pad shortcuts, linear head + BiC layer (BiC)",
                    new ModelSpec("resnet8", null, "linear", null, "zeroPad"),
                    "bic"),
            new Network(
                    "ResNet-8, projection shortcuts, cosine head (LUCIR)",
                    new ModelSpec("resnet8", null, "cosine", null, "projection"),
                    "lucir"));

    private PyTorchInteropBench() {}

    static void table(Path data, int iterations, String python) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("mnemos-bench-interop");
        CilEngine trainer = new CilEngine(new DatasetCatalog(new DataRoots(List.of(data))));
        writeSplits(trainer.datasets().load(DatasetSpec.named("mnist")), work);
        System.out.printf(
                "## PyTorch checkpoints, Split-MNIST (3 phases of 2 classes, %d iterations per phase)%n%n", iterations);
        System.out.println(
                "Export: the phase's CNN (NME) test accuracy in Mnemos and in PyTorch (load.py) on the same test images.");
        System.out.println(
                "Import: a phase-0 network trained in PyTorch, evaluated in PyTorch and in Mnemos (model.init, use phase0).\n");
        System.out.println("| network | phase | test images | Mnemos CNN | PyTorch CNN | Mnemos NME | PyTorch NME |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        List<String> importRows = new ArrayList<>();
        for (Network network : NETWORKS) {
            Path dir = Files.createDirectories(work.resolve(network.method()));
            ExperimentSpec spec = spec(network, iterations, null);
            RunPlan plan = trainer.plan(spec);
            Map<Integer, PhaseMetrics> metrics = new LinkedHashMap<>();
            Path previous = null;
            for (int phase = 0; phase < plan.phaseCount(); phase++) {
                Path state = Files.createDirectories(dir.resolve("state-" + phase));
                metrics.put(
                        phase,
                        trainer.runPhase(plan, phase, previous, state, Device.cpu(), p -> {}, () -> false)
                                .metrics());
                PyTorchCheckpoint.write(state, plan, phase, JSON, dir.resolve("phase-" + phase + ".zip"));
                previous = state;
            }
            Path torchModel = dir.resolve("torch-phase0.safetensors");
            JsonNode torch = runPython(python, work, dir, plan.phaseCount(), iterations, torchModel);
            for (int phase = 0; phase < plan.phaseCount(); phase++) {
                PhaseMetrics m = metrics.get(phase);
                JsonNode t = torch.get("exports").get(phase);
                System.out.printf(
                        "| %s | %d | %d | %.4f | %.4f | %s | %s |%n",
                        network.label(),
                        phase,
                        t.get("images").asInt(),
                        m.cnnAccuracy(),
                        t.get("cnn").asDouble(),
                        m.nmeAccuracy() == null ? "-" : String.format("%.4f", m.nmeAccuracy()),
                        t.has("nme") ? String.format("%.4f", t.get("nme").asDouble()) : "-");
            }
            CilEngine importer = new CilEngine(
                    new DatasetCatalog(new DataRoots(List.of(data))), id -> id.equals("torch") ? torchModel : null);
            RunPlan imported = importer.plan(spec(network, iterations, new InitSpec("torch", InitSpec.PHASE0)));
            PhaseMetrics given = importer.runPhase(
                            imported,
                            0,
                            null,
                            Files.createDirectories(dir.resolve("imported-0")),
                            Device.cpu(),
                            p -> {},
                            () -> false)
                    .metrics();
            importRows.add(String.format(
                    "| %s | %.4f | %.4f | %d |",
                    network.label(),
                    torch.get("trained").get("cnn").asDouble(),
                    given.cnnAccuracy(),
                    torch.get("trained").get("steps").asInt()));
        }
        System.out.println();
        System.out.println(
                "| network (trained in PyTorch, phase 0) | PyTorch CNN | Mnemos CNN (imported, no training) | PyTorch steps |");
        System.out.println("|---|---:|---:|---:|");
        importRows.forEach(System.out::println);
        System.out.println();
    }

    private static ExperimentSpec spec(Network network, int iterations, InitSpec init) {
        ModelSpec m = network.model();
        return new ExperimentSpec(
                "interop-" + network.method(),
                0L,
                null,
                DatasetSpec.named("mnist"),
                new ProtocolSpec(2, 2, 6, null, "natural", null, null),
                new ModelSpec(m.backbone(), m.hiddenUnits(), m.head(), null, m.shortcut(), init),
                MethodSpec.named(network.method()),
                new MemorySpec("herding", 20, null),
                new TrainingSpec(
                        null,
                        iterations,
                        64,
                        new OptimizerSpec("adam", 1e-3, null, null, null, null, null),
                        null,
                        false));
    }

    /** Runs bench/pytorch_interop.py on the exports of one network and returns what it measured. */
    private static JsonNode runPython(String python, Path work, Path dir, int phases, int iterations, Path torchModel)
            throws IOException, InterruptedException {
        Path result = dir.resolve("pytorch.json");
        Process process = new ProcessBuilder(
                        python,
                        "bench/pytorch_interop.py",
                        "--data",
                        work.toString(),
                        "--run",
                        dir.toString(),
                        "--phases",
                        Integer.toString(phases),
                        "--iterations",
                        Integer.toString(iterations),
                        "--save",
                        torchModel.toString(),
                        "--out",
                        result.toString())
                .inheritIO()
                .start();
        if (process.waitFor() != 0) {
            throw new IOException("bench/pytorch_interop.py failed for " + dir.getFileName());
        }
        return JSON.readTree(result.toFile());
    }

    /** The MNIST splits as raw files the Python side reads: uint8 NHWC images, int32 little-endian labels. */
    private static void writeSplits(DatasetSplits splits, Path work) throws IOException {
        for (var split : Map.of("train", splits.train(), "test", splits.test()).entrySet()) {
            ImageDataset images = split.getValue();
            Files.write(work.resolve(split.getKey() + "-images.u8"), images.pixels());
            ByteBuffer labels =
                    ByteBuffer.allocate(images.size() * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            labels.asIntBuffer().put(images.labels());
            Files.write(work.resolve(split.getKey() + "-labels.i32"), labels.array());
            Files.writeString(
                    work.resolve(split.getKey() + "-shape.json"),
                    String.format(
                            "[%d, %d, %d, %d]", images.size(), images.height(), images.width(), images.channels()));
        }
    }
}
