package org.mnemos.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.model.CifarResNet;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.PyCilStateDict;
import org.mnemos.engine.model.ResNet18;
import org.mnemos.engine.model.interop.SafeTensors;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.ClassifierRule;
import org.mnemos.engine.phase.PhaseState;
import org.mnemos.engine.spec.ExperimentSpec;
import tools.jackson.databind.ObjectMapper;

/**
 * The {@code ?format=pytorch} checkpoint of a phase: {@code model.safetensors} named as PyCIL's
 * {@code state_dict()} (see {@link PyCilStateDict}), {@code config.json} with what a PyTorch user
 * needs besides the weights (architecture, class order, label map, input normalisation, reported
 * classifier, NME class means) and {@code load.py}, which builds the network in plain torch from
 * the config and loads the weights.
 */
public final class PyTorchCheckpoint {

    static final String WEIGHTS = "model.safetensors";
    static final String CONFIG = "config.json";
    static final String LOADER = "load.py";

    private PyTorchCheckpoint() {}

    /**
     * Writes the zip for the phase whose state is {@code stateDir}, or says why its network has no
     * PyTorch layout (then nothing is written).
     */
    public static Optional<String> writeIfSupported(
            Path stateDir, RunPlan plan, int phase, ObjectMapper json, Path target) throws IOException {
        try {
            write(stateDir, plan, phase, json, target);
            return Optional.empty();
        } catch (PyCilStateDict.UnsupportedNetworkException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Writes the zip for the phase whose state is {@code stateDir}.
     *
     * @throws PyCilStateDict.UnsupportedNetworkException for networks PyTorch has no layout for
     *     (AANets' aggregated backbone after phase 0, FOSTER's boosted one)
     */
    public static void write(Path stateDir, RunPlan plan, int phase, ObjectMapper json, Path target)
            throws IOException {
        ExperimentSpec spec = plan.spec();
        CilMethod method = Parts.forRun(spec);
        if (phase > 0 && Parts.boostsFeatures(method)) {
            throw new PyCilStateDict.UnsupportedNetworkException(
                    "FOSTER's two-extractor network of phase " + phase + " has no PyCIL state_dict layout");
        }
        PhaseState state = PhaseState.read(stateDir);
        ExemplarSet memory = PhaseState.readMemory(stateDir);
        BatchTransform eval = BatchTransform.forDataset(
                spec.dataset().name(), memory.height(), memory.width(), memory.channels(), false);
        int channels = memory.channels();
        int height = eval.outputHeight();
        int width = eval.outputWidth();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            IncrementalNet net = IncrementalNet.rebuild(
                    CilEngine.networkBuilder(spec, channels, height, width, phase),
                    new ai.djl.ndarray.types.Shape(1, channels, height, width),
                    state.segmentSizes(),
                    manager);
            state.loadParameters(stateDir, net, manager);
            List<Integer> classes = state.seenClasses();
            Map<String, Object> config = config(
                    plan,
                    phase,
                    state,
                    net,
                    method,
                    eval,
                    channels,
                    height,
                    width,
                    classes,
                    state.readClassMeans(stateDir));
            ByteArrayOutputStream weights = new ByteArrayOutputStream();
            SafeTensors.write(
                    weights,
                    PyCilStateDict.export(net),
                    Map.of(
                            "format", "pt",
                            "classes", json.writeValueAsString(classes),
                            "phase", Integer.toString(phase)));
            try (ZipOutputStream zip =
                    new ZipOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(target)))) {
                addEntry(zip, WEIGHTS, weights.toByteArray());
                addEntry(zip, CONFIG, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
                addEntry(zip, LOADER, loader());
            }
        }
    }

    private static Map<String, Object> config(
            RunPlan plan,
            int phase,
            PhaseState state,
            IncrementalNet net,
            CilMethod method,
            BatchTransform eval,
            int channels,
            int height,
            int width,
            List<Integer> classes,
            float[][] classMeans) {
        ExperimentSpec spec = plan.spec();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("format", "pycil-state-dict");
        config.put("phase", phase);
        String backbone = spec.model().backbone().toLowerCase(Locale.ROOT);
        config.put("backbone", backbone);
        if (net.backbone() instanceof CifarResNet resnet) {
            config.put("blocksPerStage", resnet.blocksPerStage());
            config.put("shortcut", resnet.projectionShortcut() ? "projection" : "zeroPad");
            config.put("lastRelu", resnet.lastRelu());
        } else if (net.backbone() instanceof ResNet18 resnet) {
            config.put("smallInput", resnet.smallInput());
            config.put("lastRelu", resnet.lastRelu());
        } else if (net.backbone() instanceof org.mnemos.engine.model.Mlp mlp) {
            config.put("hiddenUnits", mlp.hiddenUnits());
        }
        config.put("featureDim", net.backbone().featureDim());
        config.put("head", net.headType().name().toLowerCase(Locale.ROOT));
        config.put("proxiesPerClass", net.proxiesPerClass());
        config.put("biasCorrection", net.biasCorrection() != null);
        config.put("segments", state.segmentSizes());
        config.put("inputChannels", channels);
        config.put("imageSize", List.of(height, width));
        // x = (pixel / 255 - mean) / std per channel, on the centre crop of imageSize
        config.put("normalization", Map.of("mean", eval.mean(), "std", eval.std()));
        config.put("classesSeen", classes.size());
        config.put("classes", classes);
        config.put("classNames", classes.stream().map(plan::className).toList());
        Map<String, Integer> labelMap = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            labelMap.put(Integer.toString(i), classes.get(i));
        }
        config.put("labelMap", labelMap);
        config.put("classOrder", plan.classOrder());
        boolean nme = method.classifier() == ClassifierRule.NME && classMeans != null;
        config.put("reportedClassifier", nme ? "nme" : "cnn");
        if (classMeans != null) {
            // NME: argmax over classes of normalize(features) · classMeans[c], rows in head order
            config.put("classMeans", classMeans);
        }
        config.put(
                "notes",
                List.of(
                        "output i of the network is class labelMap[i] of the data set",
                        "convnet.fc.* (zero-pad resnet32 only) is the 10-way layer PyCIL's CifarResNet declares and never calls; written as zeros",
                        "num_batches_tracked is written as 0: DJL does not count batches, and PyTorch reads it only when momentum is None"));
        return config;
    }

    private static byte[] loader() throws IOException {
        try (InputStream in = PyTorchCheckpoint.class.getResourceAsStream(LOADER)) {
            if (in == null) {
                throw new IOException(LOADER + " is missing from the classpath");
            }
            return in.readAllBytes();
        }
    }

    private static void addEntry(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }
}
