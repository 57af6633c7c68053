package org.mnemos.engine.parts.method.dfcil;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.List;
import org.mnemos.engine.model.BatchNormTap;
import org.mnemos.engine.util.Scalars;

/**
 * The four terms of the model-inversion loss that trains the generator against the frozen model in
 * evaluation mode, as in the ABD authors' {@code datafree_helper.py} ({@code Teacher.get_images}).
 * Each returns an unweighted scalar; {@link ModelInversion} weights and sums them.
 */
public final class InversionLoss {

    /** Added to both variances, as the authors do. */
    private static final float VARIANCE_FLOOR = 1e-8f;

    private static final int BLUR_SIZE = 5;
    private static final double BLUR_SIGMA = 1.0;
    private static final int ONEDNN_CHANNEL_BLOCK = 16;

    private InversionLoss() {}

    /** Content: CE(logits/τ, argmax logits) over the seen classes, averaged over the batch. */
    public static NDArray content(NDArray logits, double tau) {
        NDArray predicted = logits.argMax(1);
        NDArray logProbabilities = Scalars.div(logits, (float) tau).logSoftmax(1);
        return logProbabilities
                .mul(predicted.oneHot((int) logits.getShape().get(1)))
                .sum(new int[] {1})
                .mean()
                .neg();
    }

    /**
     * Class balance: 1 + Σ p̄ log p̄ / log K, p̄ the batch mean of softmax(logits) over K classes. A
     * class no image predicts at all (p̄ = 0 in float32) contributes 0, as the limit of p log p,
     * instead of PyTorch's NaN (0 · log 0), which would poison the generator.
     */
    public static NDArray classBalance(NDArray logits) {
        long classes = logits.getShape().get(1);
        NDArray mean = logits.softmax(1).mean(new int[] {0});
        return Scalars.div(mean.mul(mean.clip(1e-30f, 1f).log()).sum(), (float) Math.log(classes))
                .add(1f);
    }

    /**
     * DeepInversion's feature-distribution term of one BatchNorm layer: the Gaussian KL-style
     * distance between the batch's mean and (biased) variance of the layer's input, per channel, and
     * the layer's running statistics: mean(log(σ_batch/σ_run)) − ½·mean(1 − (σ²_run + (μ_run − μ)²)/σ²_batch).
     */
    public static NDArray batchNormStatistics(BatchNormTap.Observation layer) {
        NDArray x = layer.input();
        long channels = x.getShape().get(1);
        // (C, N·H·W), as the authors' permute(1, 0, 2, 3).view(C, -1)
        NDArray perChannel =
                x.getShape().dimension() == 4 ? x.transpose(1, 0, 2, 3).reshape(channels, -1) : x.transpose();
        NDArray mean = perChannel.mean(new int[] {1});
        NDArray variance = perChannel
                .sub(mean.reshape(channels, 1))
                .square()
                .mean(new int[] {1})
                .add(VARIANCE_FLOOR);
        NDArray runningVariance = layer.runningVar().add(VARIANCE_FLOOR);
        NDArray logRatio = variance.sqrt().div(runningVariance.sqrt()).log().mean();
        NDArray gap = runningVariance
                .add(layer.runningMean().sub(mean).square())
                .div(variance)
                .neg()
                .add(1f)
                .mean();
        return logRatio.sub(Scalars.mul(gap, 0.5f));
    }

    /** The BatchNorm term of a whole network: the mean of the layers' terms (zero without BatchNorm). */
    public static NDArray batchNormStatistics(List<BatchNormTap.Observation> layers, NDArray like) {
        if (layers.isEmpty()) {
            return like.getManager().zeros(new Shape(), like.getDataType(), like.getDevice());
        }
        NDArray sum = null;
        for (BatchNormTap.Observation layer : layers) {
            NDArray term = batchNormStatistics(layer);
            sum = sum == null ? term : sum.add(term);
        }
        return Scalars.div(sum, layers.size());
    }

    /** Image prior: mean squared difference between the images and their 5×5 Gaussian blur (σ 1, reflect padding). */
    public static NDArray smoothness(NDArray images) {
        return images.sub(blur(images)).square().mean();
    }

    /**
     * Depthwise 5×5 Gaussian smoothing of (N, C, H, W) images after reflect-padding by 2. It runs as
     * a dense convolution whose filter c holds the kernel on input channel c and zeros elsewhere,
     * with the filters zero-padded to a multiple of {@value #ONEDNN_CHANNEL_BLOCK}: oneDNN pads a
     * smaller channel count itself, and with several threads does not always zero the output
     * gradient's padding, whose stale values then reach the image gradient (see {@code Generator}).
     */
    public static NDArray blur(NDArray images) {
        int channels = (int) images.getShape().get(1);
        int filters = (channels + ONEDNN_CHANNEL_BLOCK - 1) / ONEDNN_CHANNEL_BLOCK * ONEDNN_CHANNEL_BLOCK;
        float[] kernel = gaussianKernel();
        float[] weights = new float[filters * channels * kernel.length];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(kernel, 0, weights, (c * channels + c) * kernel.length, kernel.length);
        }
        NDArray weight = images.getManager()
                .create(weights, new Shape(filters, channels, BLUR_SIZE, BLUR_SIZE))
                .toDevice(images.getDevice(), false);
        NDList out =
                Conv2d.conv2d(reflectPad(images), weight, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1);
        return out.head().get(":, 0:{}", channels);
    }

    /**
     * The authors' kernel: the product over both axes of exp(−((i − 2)/(2σ))²), normalised to sum 1.
     * (Their exponent is ((i − μ)/(2σ))², not (i − μ)²/(2σ²): with σ = 1 the kernel is wider than a σ-1 Gaussian.)
     */
    static float[] gaussianKernel() {
        double centre = (BLUR_SIZE - 1) / 2.0;
        double[] axis = new double[BLUR_SIZE];
        for (int i = 0; i < BLUR_SIZE; i++) {
            double d = (i - centre) / (2 * BLUR_SIGMA);
            axis[i] = Math.exp(-d * d) / (BLUR_SIGMA * Math.sqrt(2 * Math.PI));
        }
        double total = 0;
        double[] kernel = new double[BLUR_SIZE * BLUR_SIZE];
        for (int i = 0; i < BLUR_SIZE; i++) {
            for (int j = 0; j < BLUR_SIZE; j++) {
                kernel[i * BLUR_SIZE + j] = axis[i] * axis[j];
                total += kernel[i * BLUR_SIZE + j];
            }
        }
        float[] normalised = new float[kernel.length];
        for (int i = 0; i < kernel.length; i++) {
            normalised[i] = (float) (kernel[i] / total);
        }
        return normalised;
    }

    /** F.pad(x, (2, 2, 2, 2), mode='reflect') on (N, C, H, W). */
    static NDArray reflectPad(NDArray x) {
        return reflectPad(reflectPad(x, 3), 2);
    }

    private static NDArray reflectPad(NDArray x, int axis) {
        long size = x.getShape().get(axis);
        String prefix = axis == 3 ? ":, :, :, " : ":, :, ";
        NDArray before = x.get(prefix + "2:3").concat(x.get(prefix + "1:2"), axis);
        NDArray after = x.get(prefix + (size - 2) + ":" + (size - 1))
                .concat(x.get(prefix + (size - 3) + ":" + (size - 2)), axis);
        return before.concat(x, axis).concat(after, axis);
    }
}
