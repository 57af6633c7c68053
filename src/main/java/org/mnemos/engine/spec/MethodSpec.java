package org.mnemos.engine.spec;

/**
 * The CIL method and its hyper-parameters; a null field takes the method's default from the
 * original paper's code.
 *
 * @param temperature distillation temperature (LwF, iCaRL, BiC)
 * @param distillationWeight weight of the distillation term (LwF, PODNet flat)
 * @param lambdaBase LUCIR's base weight of the less-forget constraint (adaptive: times sqrt(old/new))
 * @param margin LUCIR margin of the ranking loss
 * @param hardNegatives LUCIR's K hard negatives
 * @param podSpatialWeight PODNet's spatial distillation weight
 * @param podFlatWeight PODNet's flat distillation weight
 * @param proxiesPerClass PODNet's local similarity classifier proxies per class
 * @param biasValidationFraction BiC: fraction of exemplars held out to train the bias layer
 * @param biasEpochs BiC: epochs of the bias correction stage
 * @param balancedFinetuneEpochs LUCIR/PODNet class-balanced finetuning epochs (0 disables)
 * @param foster FOSTER's options (method {@code foster} only)
 * @param abd Always Be Dreaming's inversion and distillation options
 * @param deepinversion the DeepInversion baseline's inversion and distillation options
 * @param finetune the finetune baseline's options
 */
public record MethodSpec(
        String name,
        Double temperature,
        Double distillationWeight,
        Double lambdaBase,
        Double margin,
        Integer hardNegatives,
        Double podSpatialWeight,
        Double podFlatWeight,
        Integer proxiesPerClass,
        Double biasValidationFraction,
        Integer biasEpochs,
        Integer balancedFinetuneEpochs,
        FosterSpec foster,
        InversionSpec abd,
        InversionSpec deepinversion,
        FinetuneSpec finetune) {

    /** The options of the methods that came before finetune's. */
    public MethodSpec(
            String name,
            Double temperature,
            Double distillationWeight,
            Double lambdaBase,
            Double margin,
            Integer hardNegatives,
            Double podSpatialWeight,
            Double podFlatWeight,
            Integer proxiesPerClass,
            Double biasValidationFraction,
            Integer biasEpochs,
            Integer balancedFinetuneEpochs,
            FosterSpec foster,
            InversionSpec abd,
            InversionSpec deepinversion) {
        this(
                name,
                temperature,
                distillationWeight,
                lambdaBase,
                margin,
                hardNegatives,
                podSpatialWeight,
                podFlatWeight,
                proxiesPerClass,
                biasValidationFraction,
                biasEpochs,
                balancedFinetuneEpochs,
                foster,
                abd,
                deepinversion,
                null);
    }

    /** The options of the methods that came before the data-free ones. */
    public MethodSpec(
            String name,
            Double temperature,
            Double distillationWeight,
            Double lambdaBase,
            Double margin,
            Integer hardNegatives,
            Double podSpatialWeight,
            Double podFlatWeight,
            Integer proxiesPerClass,
            Double biasValidationFraction,
            Integer biasEpochs,
            Integer balancedFinetuneEpochs) {
        this(
                name,
                temperature,
                distillationWeight,
                lambdaBase,
                margin,
                hardNegatives,
                podSpatialWeight,
                podFlatWeight,
                proxiesPerClass,
                biasValidationFraction,
                biasEpochs,
                balancedFinetuneEpochs,
                null,
                null,
                null);
    }

    public static MethodSpec named(String name) {
        return new MethodSpec(name, null, null, null, null, null, null, null, null, null, null, null);
    }
}
