package org.mnemos.engine;

import java.util.List;
import java.util.Locale;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DatasetInfo;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.ModelSpec;

/**
 * An estimate of the memory one phase of a run needs at its peak, from the resolved spec alone:
 * parameters with their gradients, optimiser state and the previous phase's model; the activations
 * one training step keeps (DJL holds every intermediate of a step until the step ends, so each
 * layer's convolution, normalisation and activation outputs all count); the data set on the device
 * (and, on a CPU worker, also the host copy the catalog caches); and the runtime itself. The
 * parts add their own memory through {@code Part.footprint}: AANets its second branch, FOSTER its
 * teacher's extractors, the data-free methods their generator and dreams, CIM its meta-iteration
 * and mask model's CAM pass where they peak above the training step.
 *
 * <p>Calibrated against the peak RSS of real CPU phases (see the README's memory budget section);
 * it errs on the high side. It names the spec field that drives the largest part, so that a refusal
 * tells the user what to change.
 */
public final class PeakMemory {

    private static final long FLOAT = 4;
    private static final long MIB = 1L << 20;
    /** The JVM, the PyTorch runtime and the service around a phase on a CPU worker. */
    static final long HOST_RUNTIME_BYTES = 700 * MIB;
    /** The CUDA context and cuDNN workspace on a GPU (not calibrated on a GPU yet: a round figure). */
    static final long GPU_RUNTIME_BYTES = 512 * MIB;
    /** Input copies of a batch the transform makes (cast, normalise, crop, flip), each image-sized in floats. */
    private static final int INPUT_COPIES = 4;
    /** Tensors a basic block keeps per image: two convolutions, two normalisations, a ReLU, the sum and its ReLU. */
    private static final int BLOCK_TENSORS = 7;
    /** Backward needs each layer's gradient next to the kept activations: a share of them on top at the peak. */
    private static final double BACKWARD_FACTOR = 1.75;

    /** The parts of the estimate, in bytes, and the field to change when it is too large. */
    public record Estimate(long parameterBytes, long activationBytes, long dataBytes, long runtimeBytes, String field) {

        public long totalBytes() {
            return parameterBytes + activationBytes + dataBytes + runtimeBytes;
        }

        public String breakdown() {
            return "parameters and optimiser state " + gib(parameterBytes) + ", activations " + gib(activationBytes)
                    + ", data set " + gib(dataBytes) + ", runtime " + gib(runtimeBytes);
        }
    }

    private PeakMemory() {}

    /**
     * @param spec the spec with every default filled in
     * @param images images in both splits of the data set
     * @param onGpu whether the phase runs on a GPU: the host copy of the data set and the JVM then
     *     use host memory, not the device's, and the CUDA context counts instead
     */
    public static Estimate estimate(ExperimentSpec spec, DatasetInfo info, long images, boolean onGpu) {
        int classes = info.classNames().size();
        // the data set holds the stored images; the network sees their crop
        long imageBytes = (long) info.height() * info.width() * info.channels();
        int input = BatchTransform.inputSide(info.name(), Math.min(info.height(), info.width()));
        boolean cropped = input < Math.min(info.height(), info.width());
        int inputHeight = cropped ? input : info.height();
        int inputWidth = cropped ? input : info.width();
        long inputBytes = (long) inputHeight * inputWidth * info.channels();
        Architecture architecture = Architecture.of(spec.model(), info.channels(), inputHeight, inputWidth, classes);
        long optimiserCopies = switch (spec.training().optimizer().name().toLowerCase(Locale.ROOT)) {
            case "adam" -> 2;
            default ->
                spec.training().optimizer().momentum() != null
                                && spec.training().optimizer().momentum() > 0
                        ? 1
                        : 0;
        };
        Footprint footprint = new Footprint(
                info,
                spec.training().batchSize(),
                optimiserCopies,
                architecture.parameters(),
                architecture.activationsPerImage());
        // the model's parts first: they change the network the estimate is of (AANets' second branch)
        Parts.footprint(spec, footprint, "model.");
        CilMethod method = Parts.forRun(spec);
        boolean previousModel = method.needsPreviousModel(1, 1) || method.head() != null;

        // weights, gradients, optimiser state, and the frozen copy distilling methods keep
        footprint.parameterBytes = footprint.parameters * FLOAT * (2 + optimiserCopies + (previousModel ? 1 : 0));
        long perImage = footprint.activationsPerImage + INPUT_COPIES * inputBytes;
        // the previous model's forward pass on the same batch is kept until the step ends too
        double passes = previousModel ? 2 : 1;
        footprint.activationBytes = (long) (footprint.batch * perImage * FLOAT * passes * BACKWARD_FACTOR);
        footprint.activationField = "training.batchSize";
        // then the method's and the memory's own additions: second extractors, generators, meta-iterations
        Parts.footprint(spec, footprint, Parts.METHOD);
        Parts.footprint(spec, footprint, "memory.");
        long parameterBytes = footprint.parameterBytes;
        long activationBytes = footprint.activationBytes;
        String activationField = footprint.activationField;

        long dataBytes = images * (imageBytes + Long.BYTES) * (onGpu ? 1 : 2);
        long runtimeBytes = onGpu ? GPU_RUNTIME_BYTES : HOST_RUNTIME_BYTES;

        long largest = Math.max(parameterBytes, Math.max(activationBytes, dataBytes));
        String field = largest == activationBytes
                ? activationField
                : largest == dataBytes
                        ? "dataset"
                        : spec.model().backbone().equalsIgnoreCase("mlp") ? "model.hiddenUnits" : "model.backbone";
        return new Estimate(parameterBytes, activationBytes, dataBytes, runtimeBytes, field);
    }

    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /**
     * A phase's estimate while the run's parts add to it ({@code Part.footprint}): the network's
     * parameters and activations per image (a model part may scale them before the rest is
     * computed), then the bytes of parameters and of the activations at the peak, with the field
     * that drives the activations.
     */
    public static final class Footprint {
        /** Bytes of one float32 value. */
        public static final long FLOAT = PeakMemory.FLOAT;
        /** Backward keeps each layer's gradient beside the kept activations. */
        public static final double BACKWARD_FACTOR = PeakMemory.BACKWARD_FACTOR;

        private final DatasetInfo info;
        private final long batch;
        private final long optimiserCopies;
        private long parameters;
        private long activationsPerImage;
        private long parameterBytes;
        private long activationBytes;
        private String activationField;
        private int extractors = 1;

        Footprint(DatasetInfo info, long batch, long optimiserCopies, long parameters, long activationsPerImage) {
            this.info = info;
            this.batch = batch;
            this.optimiserCopies = optimiserCopies;
            this.parameters = parameters;
            this.activationsPerImage = activationsPerImage;
        }

        public DatasetInfo info() {
            return info;
        }

        /** Images in a training batch. */
        public long batch() {
            return batch;
        }

        /** Copies of the parameters the optimiser keeps (momentum 1, Adam 2). */
        public long optimiserCopies() {
            return optimiserCopies;
        }

        /** Parameters of the network a phase trains. */
        public long parameters() {
            return parameters;
        }

        /** Activation elements one image keeps in a forward pass of that network. */
        public long activationsPerImage() {
            return activationsPerImage;
        }

        /** Scales the network (a model part that runs {@code factor} branches side by side). */
        public void scaleNetwork(int factor) {
            parameters *= factor;
            activationsPerImage *= factor;
        }

        public void addParameterBytes(long bytes) {
            parameterBytes += bytes;
        }

        public long activationBytes() {
            return activationBytes;
        }

        /** The training step's activations change to {@code bytes} (still driven by the field that drove them). */
        public void setActivationBytes(long bytes) {
            activationBytes = bytes;
        }

        /** A stage beside the training step that peaks at {@code bytes}, driven by {@code field}: it counts if it peaks higher. */
        public void peakAt(long bytes, String field) {
            if (bytes > activationBytes) {
                activationBytes = bytes;
                activationField = field;
            }
        }

        /** Feature extractors a mask or teacher model runs (FOSTER's teacher has two). */
        public int extractors() {
            return extractors;
        }

        public void extractors(int extractors) {
            this.extractors = extractors;
        }
    }

    /** Parameter count and kept activation elements per image of a backbone with its head. */
    private record Architecture(long parameters, long activationsPerImage) {

        static Architecture of(ModelSpec model, int channels, int height, int width, int classes) {
            return switch (model.backbone().toLowerCase(Locale.ROOT)) {
                case "mlp" -> mlp(model.hiddenUnits(), (long) channels * height * width, classes);
                case "resnet32" ->
                    residual(channels, height, width, classes, 16, 3, new int[] {16, 32, 64}, 5, false, false);
                case "resnet8" ->
                    residual(channels, height, width, classes, 16, 3, new int[] {16, 32, 64}, 1, false, false);
                case "resnet18" -> {
                    boolean small = height <= 64 && width <= 64;
                    yield residual(
                            channels,
                            height,
                            width,
                            classes,
                            64,
                            small ? 3 : 7,
                            new int[] {64, 128, 256, 512},
                            2,
                            !small,
                            true);
                }
                default -> throw new SpecException("model.backbone", "unknown backbone '" + model.backbone() + "'");
            };
        }

        private static Architecture mlp(List<Integer> hidden, long inputs, int classes) {
            long parameters = 0;
            long activations = 0;
            long fanIn = inputs;
            for (int units : hidden) {
                parameters += fanIn * units + units;
                activations += 2L * units; // linear output and its ReLU
                fanIn = units;
            }
            parameters += fanIn * classes + classes;
            return new Architecture(parameters, activations + classes);
        }

        /**
         * @param downsampledStem ResNet-18's ImageNet stem: conv stride 2 then max pooling stride 2
         * @param projection 1x1 convolution shortcuts (else parameter-free subsample and zero pad)
         */
        private static Architecture residual(
                int channels,
                int height,
                int width,
                int classes,
                int stemChannels,
                int stemKernel,
                int[] stageChannels,
                int blocksPerStage,
                boolean downsampledStem,
                boolean projection) {
            long h = downsampledStem ? (height + 1) / 2 : height;
            long w = downsampledStem ? (width + 1) / 2 : width;
            long parameters = (long) stemKernel * stemKernel * channels * stemChannels + 2L * stemChannels;
            long activations = 3 * stemChannels * h * w; // conv, BN, ReLU
            if (downsampledStem) {
                h = (h + 1) / 2;
                w = (w + 1) / 2;
                activations += stemChannels * h * w;
            }
            long in = stemChannels;
            for (int s = 0; s < stageChannels.length; s++) {
                long planes = stageChannels[s];
                for (int b = 0; b < blocksPerStage; b++) {
                    boolean strided = s > 0 && b == 0;
                    if (strided) {
                        h = (h + 1) / 2;
                        w = (w + 1) / 2;
                    }
                    parameters += 9 * in * planes + 9 * planes * planes + 4 * planes;
                    activations += BLOCK_TENSORS * planes * h * w;
                    if (b == 0 && (strided || in != planes)) {
                        // shortcut: projection conv + BN, or subsample + zero-padded concat
                        parameters += projection ? in * planes + 2 * planes : 0;
                        activations += 2 * planes * h * w;
                    }
                    in = planes;
                }
            }
            parameters += in * classes + classes;
            return new Architecture(parameters, activations + classes);
        }
    }
}
