package org.mnemos.engine;

import java.util.List;
import java.util.Locale;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DatasetInfo;
import org.mnemos.engine.model.Generator;
import org.mnemos.engine.parts.Methods;
import org.mnemos.engine.parts.memory.ClassActivationMaps;
import org.mnemos.engine.parts.method.dfcil.InversionOptions;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.CimCompressionSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.InversionSpec;
import org.mnemos.engine.spec.ModelSpec;

/**
 * An estimate of the memory one phase of a run needs at its peak, from the resolved spec alone:
 * parameters with their gradients, optimiser state and the previous phase's model; the activations
 * one training step keeps (DJL holds every intermediate of a step until the step ends, so each
 * layer's convolution, normalisation and activation outputs all count); the data set on the device
 * (and, on a CPU worker, also the host copy the catalog caches); and the runtime itself. The
 * data-free methods add their generator with its Adam state, the doubled batch of real images and
 * dreams, and the inversion's pass through generator and frozen network, whichever peaks higher.
 * CIM's bilevel meta-iteration and its mask model's CAM pass (between epochs, not beside a
 * training step) count when they peak above the training step.
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
    /**
     * CIM's second-order meta-iteration per image of its batch, in activations of one forward pass:
     * the mask model's forward through rational units (about ten intermediates each), the inner
     * forward with its create-graph backward, the outer forward and backward. Measured as the rise
     * of peak RSS over one meta-iteration: 9–10 at batch 64 on 32×32 images with ResNet-8 and ResNet-32.
     */
    private static final double META_STEP_PASSES = 10;
    /**
     * The mask model's CAM pass over the new classes' images, {@link ClassActivationMaps#BATCH} at a
     * time without gradients, in forward passes' activations per image: its rational units keep
     * their intermediates until the batch ends. Measured: peak RSS 6.0–6.4 GB against 1.5–1.8 GB
     * with herding, ResNet-32 on 28×28 images.
     */
    private static final double MASK_MODEL_PASSES = 6;

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
        if (spec.model().aggregation() instanceof AanetsSpec) {
            // AANets: from phase 1 on every level runs a second branch beside the first, with its own
            // weights and activations (counted as trainable: a free branch is, a scaled one nearly)
            architecture = new Architecture(2 * architecture.parameters(), 2 * architecture.activationsPerImage());
        }
        CilMethod method = Methods.forRun(spec);
        boolean previousModel = method.needsPreviousModel(1, 1) || method.head() != null;

        long parameters = architecture.parameters();
        long optimiserCopies = switch (spec.training().optimizer().name().toLowerCase(Locale.ROOT)) {
            case "adam" -> 2;
            default -> spec.training().optimizer().momentum() != null && spec.training().optimizer().momentum() > 0 ? 1 : 0;
        };
        // weights, gradients, optimiser state, and the frozen copy distilling methods keep
        long parameterBytes = parameters * FLOAT * (2 + optimiserCopies + (previousModel ? 1 : 0));
        if (Methods.boostsFeatures(method)) {
            // FOSTER also holds the teacher's frozen old extractor and trains a student beside the teacher
            parameterBytes += parameters * FLOAT * (3 + optimiserCopies);
        }

        long batch = spec.training().batchSize();
        long perImage = architecture.activationsPerImage() + INPUT_COPIES * inputBytes;
        // the previous model's forward pass on the same batch is kept until the step ends too
        double passes = previousModel ? 2 : 1;
        long activationBytes = (long) (batch * perImage * FLOAT * passes * BACKWARD_FACTOR);
        String activationField = "training.batchSize";

        InversionSpec inversion = inversionOptions(spec);
        if (inversion != null && Generator.supports(info.channels(), info.height(), info.width())) {
            // ABD, DeepInversion: the generator with its gradients and Adam moments, carried all run
            int side = info.height();
            parameterBytes += Generator.parameterCount(info.channels(), side, inversion.latentDim()) * FLOAT * 4;
            long generatorPerImage = Generator.activationsPerImage(info.channels(), side);
            // training replays as many dreams as real images: both models see a doubled batch, and
            // the generator's sampling pass is kept until the step ends
            activationBytes = 2 * activationBytes + (long) (batch * generatorPerImage * FLOAT);
            // the inversion trains the generator through the frozen network on its own batch
            long inversionBytes = (long) (inversion.batchSize() * (generatorPerImage + architecture.activationsPerImage())
                    * FLOAT * BACKWARD_FACTOR);
            if (inversionBytes > activationBytes) {
                activationBytes = inversionBytes;
                activationField = "method." + spec.method().name().toLowerCase(Locale.ROOT) + ".batchSize";
            }
        }

        if (spec.memory() != null && spec.memory().compression() instanceof CimCompressionSpec cim) {
            // FOSTER's mask model is its two-extractor teacher
            double extractors = Methods.boostsFeatures(method) ? 2 : 1;
            long metaBytes = (long) (cim.resolved().metaBatchSize() * architecture.activationsPerImage() * FLOAT
                    * META_STEP_PASSES * extractors);
            if (metaBytes > activationBytes) {
                activationBytes = metaBytes;
                activationField = "memory.compression.metaBatchSize";
            }
            long camBytes = (long) (ClassActivationMaps.BATCH * architecture.activationsPerImage() * FLOAT
                    * MASK_MODEL_PASSES * extractors);
            if (camBytes > activationBytes) {
                activationBytes = camBytes;
                activationField = "memory.compression";
            }
        }

        long dataBytes = images * (imageBytes + Long.BYTES) * (onGpu ? 1 : 2);
        long runtimeBytes = onGpu ? GPU_RUNTIME_BYTES : HOST_RUNTIME_BYTES;

        long largest = Math.max(parameterBytes, Math.max(activationBytes, dataBytes));
        String field = largest == activationBytes ? activationField
                : largest == dataBytes ? "dataset"
                : spec.model().backbone().equalsIgnoreCase("mlp") ? "model.hiddenUnits" : "model.backbone";
        return new Estimate(parameterBytes, activationBytes, dataBytes, runtimeBytes, field);
    }

    /** The resolved inversion options of a data-free method (ABD, DeepInversion), or null. */
    private static InversionSpec inversionOptions(ExperimentSpec spec) {
        return switch (spec.method().name().toLowerCase(Locale.ROOT)) {
            case "abd" -> InversionOptions.resolve(spec.method().abd(), true);
            case "deepinversion" -> InversionOptions.resolve(spec.method().deepinversion(), false);
            default -> null;
        };
    }

    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** Parameter count and kept activation elements per image of a backbone with its head. */
    private record Architecture(long parameters, long activationsPerImage) {

        static Architecture of(ModelSpec model, int channels, int height, int width, int classes) {
            return switch (model.backbone().toLowerCase(Locale.ROOT)) {
                case "mlp" -> mlp(model.hiddenUnits(), (long) channels * height * width, classes);
                case "resnet32" -> residual(channels, height, width, classes, 16, 3, new int[] {16, 32, 64}, 5, false, false);
                case "resnet8" -> residual(channels, height, width, classes, 16, 3, new int[] {16, 32, 64}, 1, false, false);
                case "resnet18" -> {
                    boolean small = height <= 64 && width <= 64;
                    yield residual(channels, height, width, classes, 64, small ? 3 : 7, new int[] {64, 128, 256, 512}, 2, !small, true);
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
        private static Architecture residual(int channels, int height, int width, int classes, int stemChannels, int stemKernel,
                int[] stageChannels, int blocksPerStage, boolean downsampledStem, boolean projection) {
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
