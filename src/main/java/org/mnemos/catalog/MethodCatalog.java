package org.mnemos.catalog;

import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The CIL methods a spec may name, what each needs and which {@code MethodSpec} options apply to
 * it. The single place the list lives: validation, capability discovery and docs read it.
 */
@Component
public class MethodCatalog {

    /**
     * @param usesExemplars whether the method rehearses stored images (then {@code memory} is required)
     * @param usesNme whether it classifies by nearest mean of exemplars
     * @param options the {@code method.*} fields that apply; others are rejected
     */
    public record MethodInfo(String name, String description, boolean usesExemplars, boolean usesNme, List<String> options) {}

    private static final List<MethodInfo> METHODS = List.of(
            new MethodInfo("finetune", "Plain fine-tuning on each phase's data; the lower bound.", false, false, List.of()),
            new MethodInfo("joint", "Trains on all classes seen so far with their full data; the upper bound.", false, false, List.of()),
            new MethodInfo("replay", "Fine-tuning with rehearsal of stored exemplars.", true, false, List.of()),
            new MethodInfo("lwf", "Learning without Forgetting (Li & Hoiem 2016): distillation on the old outputs.", false, false,
                    List.of("temperature", "distillationWeight")),
            new MethodInfo("icarl", "iCaRL (Rebuffi et al. 2017): herding exemplars, distillation, nearest-mean classifier.", true, true,
                    List.of("temperature")),
            new MethodInfo("bic", "BiC (Wu et al. 2019): distillation plus a bias-correction layer trained on held-out exemplars.", true, false,
                    List.of("temperature", "biasValidationFraction", "biasEpochs")),
            new MethodInfo("lucir", "LUCIR (Hou et al. 2019): cosine head, less-forget constraint, margin ranking loss.", true, false,
                    List.of("lambdaBase", "margin", "hardNegatives", "balancedFinetuneEpochs")),
            new MethodInfo("podnet", "PODNet (Douillard et al. 2020): pooled-output distillation, local similarity classifier.", true, false,
                    List.of("podSpatialWeight", "podFlatWeight", "proxiesPerClass", "balancedFinetuneEpochs")));

    public List<MethodInfo> list() {
        return METHODS;
    }

    public Optional<MethodInfo> find(String name) {
        return METHODS.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
