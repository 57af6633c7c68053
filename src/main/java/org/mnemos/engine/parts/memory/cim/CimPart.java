package org.mnemos.engine.parts.memory.cim;

import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.parts.Composition;
import org.mnemos.engine.parts.Part;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.parts.memory.ClassActivationMaps;
import org.mnemos.engine.parts.memory.CompressionParts;
import org.mnemos.engine.spec.CimCompressionSpec;
import org.mnemos.engine.spec.ExperimentSpec;

/**
 * Class-incremental masking (Luo et al., CVPR 2023) at {@code memory.compression}: CAMs from a mask
 * model with rational activations, trained bilevel beside the classifier ({@link CimTraining}).
 */
public final class CimPart implements Part<CimCompressionSpec> {

    public static final CimPart PART = new CimPart();

    static final double MAX_META_ITERS_PER_CLASS = 100;
    static final int MAX_META_BATCH = 1024;
    static final int MAX_META_ITERS_PER_PHASE = 100_000;
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

    private CimPart() {}

    @Override
    public String path() {
        return Parts.COMPRESSION;
    }

    @Override
    public String name() {
        return CimCompressionSpec.NAME;
    }

    @Override
    public Class<CimCompressionSpec> specType() {
        return CimCompressionSpec.class;
    }

    @Override
    public String description() {
        return "CIM (Luo et al. 2023): CAM boxes from a mask model with rational activations trained bilevel beside the classifier.";
    }

    @Override
    public CimCompressionSpec resolve(CimCompressionSpec given, ExperimentSpec run) {
        return given.resolved();
    }

    @Override
    public void check(CimCompressionSpec cim, ExperimentSpec run, SpecProblems problems) {
        String field = Parts.COMPRESSION;
        if (cim.mode() != null && !CimCompressionSpec.MODES.contains(cim.mode())) {
            problems.add(field + ".mode", "must be one of " + CimCompressionSpec.MODES);
        }
        problems.nonNegative(field + ".metaItersPerClass", cim.metaItersPerClass());
        if (cim.metaItersPerClass() != null && cim.metaItersPerClass() > MAX_META_ITERS_PER_CLASS) {
            problems.add(field + ".metaItersPerClass", "must be at most " + MAX_META_ITERS_PER_CLASS);
        }
        problems.range(field + ".metaBatchSize", cim.metaBatchSize(), 1, MAX_META_BATCH);
        problems.positive(field + ".lrRatio", cim.lrRatio());
        problems.positive(field + ".activationLr", cim.activationLr());
        problems.nonNegative(field + ".activationWeightDecay", cim.activationWeightDecay());
        problems.positive(field + ".maxGradNorm", cim.maxGradNorm());
        problems.nonNegative(field + ".divCoef", cim.divCoef());
        problems.nonNegative(field + ".regCoef", cim.regCoef());
        problems.range(
                field + ".regenerateEvery",
                cim.regenerateEvery(),
                1,
                problems.limits().maxEpochs());
        if (cim.regenerateFraction() != null && !(cim.regenerateFraction() > 0 && cim.regenerateFraction() <= 1)) {
            problems.add(field + ".regenerateFraction", "must be above 0 and at most 1");
        }
        if (cim.regenerateFraction() != null && cim.regenerateEvery() != null) {
            problems.add(field + ".regenerateFraction", "cannot be combined with regenerateEvery: set one schedule");
        }
        problems.range(field + ".metaItersPerPhase", cim.metaItersPerPhase(), 0, MAX_META_ITERS_PER_PHASE);
        if (cim.randomCompressionStep() != null
                && !(cim.randomCompressionStep() >= 0 && cim.randomCompressionStep() <= 1)) {
            problems.add(field + ".randomCompressionStep", "must be between 0 and 1");
        }
        CompressionParts.checkShared(cim.ratio(), cim.threshold(), run, problems);
    }

    @Override
    public void compose(CimCompressionSpec spec, ExperimentSpec run, Composition composition) {
        CimCompressionSpec options = spec.resolved();
        composition
                .memory()
                .compression(CimCompressionSpec.NAME, options.ratio(), options.threshold(), new CimTraining(options));
    }

    /** The meta-iteration and the mask model's CAM pass, between epochs: they count where they peak above the training step. */
    @Override
    public void footprint(CimCompressionSpec cim, ExperimentSpec run, PeakMemory.Footprint footprint) {
        double extractors = footprint.extractors();
        long metaBytes = (long) (cim.resolved().metaBatchSize()
                * footprint.activationsPerImage()
                * PeakMemory.Footprint.FLOAT
                * META_STEP_PASSES
                * extractors);
        footprint.peakAt(metaBytes, "memory.compression.metaBatchSize");
        long camBytes = (long) (ClassActivationMaps.BATCH
                * footprint.activationsPerImage()
                * PeakMemory.Footprint.FLOAT
                * MASK_MODEL_PASSES
                * extractors);
        footprint.peakAt(camBytes, "memory.compression");
    }
}
