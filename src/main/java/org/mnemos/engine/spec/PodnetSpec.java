package org.mnemos.engine.spec;

/**
 * Options of the {@code podnet} method (Douillard et al. 2020 as PyCIL runs it); null takes the
 * default.
 *
 * @param podSpatialWeight spatial distillation weight (default 5)
 * @param podFlatWeight flat distillation weight (default 1)
 * @param margin margin of the NCA loss (default 0.6)
 * @param proxiesPerClass proxies per class of the local similarity classifier (default: the head's)
 * @param balancedFinetuneEpochs class-balanced finetuning epochs, 0 disables (default 20)
 */
public record PodnetSpec(
        String name,
        Double podSpatialWeight,
        Double podFlatWeight,
        Double margin,
        Integer proxiesPerClass,
        Integer balancedFinetuneEpochs)
        implements MethodSpec {

    public static final String NAME = "podnet";
}
