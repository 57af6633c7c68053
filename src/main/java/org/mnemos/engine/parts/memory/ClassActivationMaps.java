package org.mnemos.engine.parts.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.memory.ExemplarCompression;
import org.mnemos.engine.model.ActivationOverride;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.RationalActivations;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;

/**
 * Class activation maps of each image's true class, as CIM's {@code _gen_bbx} computes them: the
 * head's weights of that class (detached) times the last feature maps, min-max normalised,
 * bilinearly resized to the stored image. The network reads the whole stored image resized to its
 * input ({@code cam_trsf = Resize((224, 224))} in the authors' code, not the evaluation crop), so the
 * map covers exactly the pixels a box is cut from. With rational activations the feature maps are those of CIM's
 * mask model; without, of the classifier itself ({@code cam} compression).
 */
public final class ClassActivationMaps {

    /** Images per forward pass of {@link #heatmaps}: the authors' {@code cam_batch_size} (the memory estimate reads it). */
    public static final int BATCH = 16;

    private ClassActivationMaps() {}

    /**
     * The head's weight vector per class, (classes, D): a linear or cosine head's rows; an LSC
     * head's proxies of a class averaged.
     */
    public static NDArray classWeights(IncrementalNet net, NDManager manager) {
        NDList segments = new NDList();
        for (int s = 0; s < net.numSegments(); s++) {
            segments.add(net.segmentWeight(s));
        }
        NDArray weights = segments.size() == 1 ? segments.get(0).duplicate() : NDArrays.concat(segments, 0);
        weights.attach(manager);
        int proxies = net.proxiesPerClass();
        if (proxies > 1) {
            weights = weights.reshape(net.numClasses(), proxies, -1).mean(new int[] {1});
        }
        return weights.stopGradient();
    }

    /**
     * Raw CAMs (B, 1, h, w) of {@code targets} from feature maps (B, D, h, w) and class weights
     * (classes, D): {@code bmm(W[targets], fmaps)}, before normalisation.
     */
    public static NDArray raw(NDArray featureMaps, NDArray classWeights, NDArray targets) {
        long batch = featureMaps.getShape().get(0);
        long channels = featureMaps.getShape().get(1);
        long h = featureMaps.getShape().get(2);
        long w = featureMaps.getShape().get(3);
        NDArray rows = classWeights.get(targets.toType(DataType.INT64, false)).reshape(batch, 1, channels);
        return rows.batchMatMul(featureMaps.reshape(batch, channels, h * w)).reshape(batch, 1, h, w);
    }

    /** Per-image min-max normalisation of (B, 1, h, w) maps, differentiable: the authors' two in-place steps. */
    public static NDArray normalised(NDArray cams) {
        NDArray shifted = cams.sub(cams.min(new int[] {3}, true).min(new int[] {2}, true));
        return shifted.div(shifted.max(new int[] {3}, true).max(new int[] {2}, true));
    }

    /**
     * CAMs of every sample's label under the session's network in evaluation mode (with
     * {@code activations}, the mask model's), min-max normalised and resized to the image: one
     * (height·width) map per sample.
     */
    public static float[][] heatmaps(PhaseSession session, Samples samples, RationalActivations activations) {
        IncrementalNet net = session.net();
        int height = session.height();
        int width = session.width();
        float[][] maps = new float[samples.size()][];
        ParameterStore parameters = session.parameterStore();
        try (NDManager manager = session.manager().newSubManager();
                DeviceDataset data = session.upload(samples, manager)) {
            NDArray weights = classWeights(net, manager);
            for (int start = 0; start < samples.size(); start += BATCH) {
                int end = Math.min(samples.size(), start + BATCH);
                try (NDManager batch = manager.newSubManager()) {
                    NDArray indices = batch.arange(start, end).toType(DataType.INT64, false);
                    NDArray inputs = session.evalTransform().applyWholeImage(data.gather(indices));
                    var params =
                            activations == null ? null : ActivationOverride.params(activations.forward(batch, false));
                    NDList out = net.forward(parameters, new NDList(inputs), false, params);
                    NDArray featureMaps = out.get(out.size() - 1);
                    NDArray cams = raw(featureMaps, weights, data.gatherLabels(indices));
                    int h = (int) cams.getShape().get(2);
                    int w = (int) cams.getShape().get(3);
                    float[] flat = cams.toFloatArray();
                    for (int i = 0; i < end - start; i++) {
                        float[] cam = java.util.Arrays.copyOfRange(flat, i * h * w, (i + 1) * h * w);
                        maps[start + i] = ExemplarCompression.resizeBilinear(
                                ExemplarCompression.minMaxNormalise(cam), h, w, height, width);
                    }
                }
            }
        }
        return maps;
    }
}
