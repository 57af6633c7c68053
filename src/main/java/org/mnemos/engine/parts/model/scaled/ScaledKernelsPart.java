package org.mnemos.engine.parts.model.scaled;

import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.parts.Composition;
import org.mnemos.engine.parts.Part;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.ModelSpec;

/**
 * Scaled kernels at {@code model.scaledKernels} (chosen by {@code true}): from phase 1 on a
 * convolutional backbone's kernels are frozen at their phase-0 values and a scale per (output,
 * input) channel pair trains in their place (the official mnemonics code's {@code network_mtl}).
 */
public final class ScaledKernelsPart implements Part<ModelSpec> {

    /** The value that chooses the part: {@code "scaledKernels": true}. */
    public static final String NAME = "true";

    public static final ScaledKernelsPart PART = new ScaledKernelsPart();

    private ScaledKernelsPart() {}

    @Override
    public String path() {
        return Parts.SCALED_KERNELS;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<ModelSpec> specType() {
        return ModelSpec.class;
    }

    @Override
    public String description() {
        return "Frozen phase-0 kernels with a trained scale per (output, input) channel pair from phase 1 on.";
    }

    /** A single convolutional network of fixed architecture. */
    @Override
    public void check(ModelSpec model, ExperimentSpec run, SpecProblems problems) {
        if ("mlp".equals(model.backbone())) {
            problems.add(
                    Parts.SCALED_KERNELS,
                    "freezes and rescales convolution kernels; the mlp backbone has none"
                            + " (use resnet8, resnet32 or resnet18)");
        }
        if (model.aggregation() != null) {
            problems.add(
                    Parts.SCALED_KERNELS,
                    "does not combine with model.aggregation, whose stable branch already scales its kernels");
        }
    }

    @Override
    public void compose(ModelSpec spec, ExperimentSpec run, Composition composition) {
        composition.addHook(new ScaledKernelsStart());
    }
}
