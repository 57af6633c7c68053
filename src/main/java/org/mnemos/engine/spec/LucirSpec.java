package org.mnemos.engine.spec;

/**
 * Options of the {@code lucir} method (Hou et al. 2019); null takes the default.
 *
 * @param lambdaBase base weight of the less-forget constraint, times sqrt(old/new) (default 5)
 * @param margin margin of the ranking loss (default 0.5)
 * @param hardNegatives K hard negatives of the ranking loss (default 2)
 * @param balancedFinetuneEpochs class-balanced finetuning epochs, 0 disables (default 0)
 */
public record LucirSpec(
        String name, Double lambdaBase, Double margin, Integer hardNegatives, Integer balancedFinetuneEpochs)
        implements MethodSpec {

    public static final String NAME = "lucir";
}
