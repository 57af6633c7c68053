package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mnemos.engine.model.interop.Dtype;
import org.mnemos.engine.model.interop.SafeTensorsException;
import org.mnemos.engine.model.interop.SafeTensorsFile;
import org.mnemos.engine.model.interop.Tensor;

/**
 * An {@link IncrementalNet} as the {@code state_dict()} of the same network in G-U-N/PyCIL
 * ({@code utils/inc_net.py}): the backbone under {@code convnet.}, the classifier under {@code fc.}.
 * <ul>
 *   <li>resnet32/resnet8 with zero-pad shortcuts: {@code convs/cifar_resnet.py} ({@code conv_1_3x3},
 *       {@code bn_1}, {@code stage_s.b.conv_a/bn_a/conv_b/bn_b}), including the 10-way {@code convnet.fc}
 *       that class declares and never calls (written as zeros, ignored on load);</li>
 *   <li>with projection shortcuts: {@code convs/ucir_cifar_resnet.py} ({@code downsample.conv},
 *       {@code downsample.bn}; no {@code convnet.fc});</li>
 *   <li>resnet18: {@code convs/resnet.py} ({@code conv1.0} / {@code conv1.1} stem, {@code layerS.B.conv1/bn1/conv2/bn2},
 *       {@code downsample.0/1});</li>
 *   <li>the MLP, which PyCIL lacks, plainly: {@code convnet.hidden.i.weight/bias};</li>
 *   <li>linear head: {@code SimpleLinear} ({@code fc.weight}, {@code fc.bias}), all segments in one matrix;
 *       cosine/LSC head: {@code CosineIncrementalNet}: {@code fc.weight} + {@code fc.sigma} for one segment,
 *       then {@code SplitCosineLinear}: {@code fc.fc1.weight} (every earlier segment), {@code fc.fc2.weight}
 *       (the last) and {@code fc.sigma}; LSC rows are class-major, K proxies per class;</li>
 *   <li>BiC's layer: {@code IncrementalNetWithBias}'s {@code bias_layers.i.alpha/beta}.</li>
 * </ul>
 * BatchNorm: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var} and
 * {@code num_batches_tracked}, which DJL does not count: written as 0 (PyTorch reads it only when
 * its momentum is None; PyCIL's is 0.1), ignored on load.
 */
public final class PyCilStateDict {

    /** The class count of the unused {@code fc} inside PyCIL's zero-pad CIFAR ResNet. */
    static final int UNUSED_CIFAR_FC_CLASSES = 10;

    /** A network this layout has no PyTorch counterpart for (AANets' aggregated, FOSTER's boosted backbones). */
    public static final class UnsupportedNetworkException extends RuntimeException {
        public UnsupportedNetworkException(String message) {
            super(message);
        }
    }

    /**
     * One tensor of the state_dict: its parameters concatenated along axis 0 (one for all but the
     * head), or, with none, a tensor PyCIL's network has and this one does not (written as zeros).
     */
    public record Slot(String name, Dtype dtype, long[] shape, List<Parameter> parameters) {

        public Slot {
            // DJL's Shape.getShape() hands out its own array
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Whether loading needs the tensor: false for those the network does not use. */
        public boolean required() {
            return !parameters.isEmpty();
        }
    }

    private final List<Slot> slots = new ArrayList<>();

    private PyCilStateDict() {}

    /**
     * The state_dict layout of an initialised network.
     *
     * @throws UnsupportedNetworkException for aggregated, boosted or scaled backbones
     */
    public static List<Slot> slots(IncrementalNet net) {
        PyCilStateDict layout = new PyCilStateDict();
        layout.backbone("convnet.", net.backbone());
        layout.head(net);
        return List.copyOf(layout.slots);
    }

    /** The network's values as PyCIL's tensors, float32 (num_batches_tracked int64). */
    public static List<Tensor> export(IncrementalNet net) {
        List<Tensor> tensors = new ArrayList<>();
        for (Slot slot : slots(net)) {
            if (slot.dtype() == Dtype.I64) {
                tensors.add(Tensor.int64(slot.name(), slot.shape(), new long[] {0}));
            } else if (!slot.required()) {
                tensors.add(
                        Tensor.float32(slot.name(), slot.shape(), new float[(int) Tensor.elementsOf(slot.shape())]));
            } else {
                float[] values = new float[(int) Tensor.elementsOf(slot.shape())];
                int offset = 0;
                for (Parameter parameter : slot.parameters()) {
                    float[] part = parameter.getArray().toFloatArray();
                    System.arraycopy(part, 0, values, offset, part.length);
                    offset += part.length;
                }
                tensors.add(Tensor.float32(slot.name(), slot.shape(), values));
            }
        }
        return tensors;
    }

    /**
     * Checks the file's tensors against the network's layout without reading their values: every
     * tensor the network uses is there with its dtype and shape, and nothing else is.
     *
     * @throws SafeTensorsException naming the first tensor that does not fit
     */
    public static void check(IncrementalNet net, SafeTensorsFile file) throws SafeTensorsException {
        Map<String, Slot> byName = new LinkedHashMap<>();
        for (Slot slot : slots(net)) {
            byName.put(slot.name(), slot);
        }
        for (SafeTensorsFile.Entry entry : file.entries()) {
            Slot slot = byName.get(entry.name());
            if (slot == null) {
                throw new SafeTensorsException(entry.name(), "is not a tensor of this network (" + describe(net) + ")");
            }
            if (entry.dtype() != slot.dtype()) {
                throw new SafeTensorsException(
                        entry.name(), "is " + entry.dtype() + "; this network needs " + slot.dtype());
            }
            if (!Arrays.equals(entry.shape(), slot.shape())) {
                throw new SafeTensorsException(
                        entry.name(),
                        "has shape " + Arrays.toString(entry.shape()) + "; this network needs "
                                + Arrays.toString(slot.shape()));
            }
        }
        for (Slot slot : byName.values()) {
            if (slot.required() && file.entry(slot.name()) == null) {
                throw new SafeTensorsException(
                        slot.name(),
                        "is missing; this network (" + describe(net) + ") needs it, shape "
                                + Arrays.toString(slot.shape()));
            }
        }
    }

    /**
     * {@link #check}s the file, then overwrites the network's parameters with its values.
     *
     * @throws SafeTensorsException naming a tensor that does not fit or holds a non-finite value;
     *     the network is unchanged then
     */
    public static void load(IncrementalNet net, SafeTensorsFile file) throws IOException {
        check(net, file);
        Map<Parameter, float[]> values = new LinkedHashMap<>();
        for (Slot slot : slots(net)) {
            if (!slot.required()) {
                continue;
            }
            float[] all = file.tensor(slot.name()).floats();
            for (float v : all) {
                if (!Float.isFinite(v)) {
                    throw new SafeTensorsException(slot.name(), "holds a non-finite value (" + v + ")");
                }
            }
            int offset = 0;
            for (Parameter parameter : slot.parameters()) {
                int size = (int) parameter.getArray().size();
                values.put(parameter, Arrays.copyOfRange(all, offset, offset + size));
                offset += size;
            }
        }
        values.forEach((parameter, v) -> parameter.getArray().set(v));
    }

    private static String describe(IncrementalNet net) {
        String backbone = net.backbone().getClass().getSimpleName();
        return backbone + " with a " + net.headType().name().toLowerCase(java.util.Locale.ROOT) + " head over "
                + net.numClasses() + " classes";
    }

    private void backbone(String prefix, Backbone backbone) {
        if (backbone instanceof CifarResNet resnet) {
            conv(prefix + "conv_1_3x3", resnet.stem());
            batchNorm(prefix + "bn_1", resnet.stemBn());
            List<List<BasicBlock>> stages = resnet.stages();
            for (int s = 0; s < stages.size(); s++) {
                for (int b = 0; b < stages.get(s).size(); b++) {
                    block(
                            prefix + "stage_" + (s + 1) + "." + b + ".",
                            stages.get(s).get(b),
                            "conv_a",
                            "bn_a",
                            "conv_b",
                            "bn_b",
                            "downsample.conv",
                            "downsample.bn");
                }
            }
            if (!resnet.projectionShortcut()) {
                long features = resnet.featureDim();
                slots.add(new Slot(
                        prefix + "fc.weight", Dtype.F32, new long[] {UNUSED_CIFAR_FC_CLASSES, features}, List.of()));
                slots.add(new Slot(prefix + "fc.bias", Dtype.F32, new long[] {UNUSED_CIFAR_FC_CLASSES}, List.of()));
            }
        } else if (backbone instanceof ResNet18 resnet) {
            conv(prefix + "conv1.0", resnet.stem());
            batchNorm(prefix + "conv1.1", resnet.stemBn());
            List<List<BasicBlock>> stages = resnet.stages();
            for (int s = 0; s < stages.size(); s++) {
                for (int b = 0; b < stages.get(s).size(); b++) {
                    block(
                            prefix + "layer" + (s + 1) + "." + b + ".",
                            stages.get(s).get(b),
                            "conv1",
                            "bn1",
                            "conv2",
                            "bn2",
                            "downsample.0",
                            "downsample.1");
                }
            }
        } else if (backbone instanceof Mlp mlp) {
            for (int i = 0; i < mlp.layers().size(); i++) {
                Block layer = mlp.layers().get(i);
                if (!(layer instanceof Linear)) {
                    throw new UnsupportedNetworkException(
                            "a scaled MLP layer (AANets' stable branch) has no PyTorch counterpart");
                }
                parameter(prefix + "hidden." + i + ".weight", layer, "weight");
                parameter(prefix + "hidden." + i + ".bias", layer, "bias");
            }
        } else {
            throw new UnsupportedNetworkException("a " + backbone.getClass().getSimpleName()
                    + " (AANets' aggregated or FOSTER's boosted backbone) has no PyCIL state_dict layout");
        }
    }

    private void block(
            String prefix,
            BasicBlock block,
            String convA,
            String bnA,
            String convB,
            String bnB,
            String projectionConv,
            String projectionBn) {
        conv(prefix + convA, block.convA());
        batchNorm(prefix + bnA, block.bnA());
        conv(prefix + convB, block.convB());
        batchNorm(prefix + bnB, block.bnB());
        if (block.projectionConv() != null) {
            conv(prefix + projectionConv, block.projectionConv());
            batchNorm(prefix + projectionBn, block.projectionBn());
        }
    }

    private void conv(String name, Block conv) {
        if (!(conv instanceof Conv2d)) {
            throw new UnsupportedNetworkException(
                    "a scaled convolution (AANets' stable branch) has no PyTorch counterpart");
        }
        parameter(name + ".weight", conv, "weight");
    }

    private void batchNorm(String name, BatchNorm bn) {
        parameter(name + ".weight", bn, "gamma");
        parameter(name + ".bias", bn, "beta");
        parameter(name + ".running_mean", bn, "runningMean");
        parameter(name + ".running_var", bn, "runningVar");
        slots.add(new Slot(name + ".num_batches_tracked", Dtype.I64, new long[0], List.of()));
    }

    private void parameter(String name, Block block, String djlName) {
        Parameter parameter = block.getDirectParameters().get(djlName);
        if (parameter == null) {
            throw new IllegalStateException(block.getClass().getSimpleName() + " has no parameter " + djlName);
        }
        slots.add(new Slot(name, Dtype.F32, parameter.getArray().getShape().getShape(), List.of(parameter)));
    }

    private void head(IncrementalNet net) {
        int segments = net.numSegments();
        if (segments == 0) {
            throw new UnsupportedNetworkException("a network without classes has no classifier to export");
        }
        List<Parameter> weights = new ArrayList<>();
        List<Parameter> biases = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            weights.add(net.segmentWeightParameter(s));
            biases.add(net.segmentBiasParameter(s));
        }
        if (net.headType() == HeadType.LINEAR) {
            slots.add(rows("fc.weight", weights));
            slots.add(rows("fc.bias", biases));
        } else {
            if (segments == 1) {
                slots.add(rows("fc.weight", weights));
            } else {
                slots.add(rows("fc.fc1.weight", weights.subList(0, segments - 1)));
                slots.add(rows("fc.fc2.weight", weights.subList(segments - 1, segments)));
            }
            slots.add(new Slot("fc.sigma", Dtype.F32, new long[] {1}, List.of(net.scale())));
        }
        BiasCorrection correction = net.biasCorrection();
        if (correction != null) {
            for (int s = 0; s < segments; s++) {
                parameter("bias_layers." + s + ".alpha", correction, "bic_alpha" + s);
                parameter("bias_layers." + s + ".beta", correction, "bic_beta" + s);
            }
        }
    }

    /** Parameters stacked along axis 0: the classifier's segments in one matrix. */
    private static Slot rows(String name, List<Parameter> parameters) {
        long[] shape = parameters.get(0).getArray().getShape().getShape().clone();
        for (int i = 1; i < parameters.size(); i++) {
            NDArray array = parameters.get(i).getArray();
            shape[0] += array.getShape().get(0);
        }
        return new Slot(name, Dtype.F32, shape, List.copyOf(parameters));
    }
}
