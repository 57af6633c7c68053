package org.mnemos.engine.phase;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.mnemos.engine.data.BatchTransform;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.spec.ExperimentSpec;

/**
 * What a {@link PhaseSession} is given and keeps for the whole phase: the run, the phase's classes,
 * its networks and manager, its transforms, generator and loop, and the stored images' geometry.
 *
 * @param previousNet the previous phase's network (frozen), or null in phase 0
 * @param incrementalLabels each original label's position in the run's class order
 * @param lastPhase whether this is the run's last phase (no later phase needs what it would prepare)
 */
public record PhaseContext(
        ExperimentSpec spec,
        int phase,
        int oldClasses,
        int totalClasses,
        IncrementalNet net,
        IncrementalNet previousNet,
        NDManager manager,
        BatchTransform trainTransform,
        BatchTransform evalTransform,
        Random rng,
        TrainingLoop loop,
        int height,
        int width,
        int channels,
        int[] incrementalLabels,
        boolean lastPhase) {

    /** The original label at position {@code incremental} of the class order. */
    int originalLabel(int incremental) {
        for (int label = 0; label < incrementalLabels.length; label++) {
            if (incrementalLabels[label] == incremental) {
                return label;
            }
        }
        throw new IllegalArgumentException("no class at position " + incremental + " of the class order");
    }

    /** Uploads samples of this run's images into {@code owner}; closing the result frees the device memory. */
    DeviceDataset upload(Samples samples, NDManager owner) {
        return samples.values() == null
                ? DeviceDataset.of(samples.pixels(), samples.labels(), height, width, channels, owner)
                : DeviceDataset.ofValues(samples.values(), samples.labels(), height, width, channels, owner);
    }

    /** {@code memory} as training samples with incremental labels. */
    Samples samplesOf(ExemplarSet memory) {
        int[] labels = new int[memory.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = incrementalLabels[memory.labels()[i]];
        }
        return new Samples(memory.pixels(), labels, height * width * channels, memory.values());
    }
}
