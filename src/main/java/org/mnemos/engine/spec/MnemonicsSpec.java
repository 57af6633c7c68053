package org.mnemos.engine.spec;

/**
 * Options of the {@code mnemonics} selector (Liu et al. 2020); every field is optional.
 *
 * @param mode {@code bilevel} (default: the paper's bilevel objective, unrolled inner steps
 *     differentiated through, scaled cosine logits, a bounded displacement and a held-out acceptance),
 *     {@code firstOrder} (the same with the inner steps' gradients treated as constants) or {@code code}
 *     (the official code's single-level loop, yaoyao-liu/mnemonics-training@987b46d: class-mean cosine
 *     classifier, SGD at lr 1e-5 halved by its StepLR, one pass)
 * @param innerSteps SGD steps of the temporary classifier on the exemplars (default 5; not for code)
 * @param innerLr learning rate of those steps (default 0.1; not for code)
 * @param outerLr learning rate of the exemplar intensities, in normalised input units: Adam, default
 *     0.01; SGD (momentum 0.9, weight decay 5e-4) at default 1e-5 in the code mode
 * @param epochs passes over the phase's (optimisation part of the) real training data, one exemplar
 *     step per batch (default 1)
 * @param adjust {@code new} (default: the classes of this phase) or {@code all} seen classes
 * @param logitScale the fixed inverse temperature of the cosine logits (default 16; not for code,
 *     whose logits are plain cosines)
 * @param maxChange the L∞ bound on each exemplar value's distance from its herding start, in grey
 *     levels 0-255 (default 2; not for code)
 * @param heldOutFraction the share of the phase's real data held out of the optimisation; the stage
 *     is kept only if the outer loss on it falls, else the herding picks stay (default 0.2; 0: no acceptance, every stage kept; not for code)
 */
public record MnemonicsSpec(
        String mode,
        Integer innerSteps,
        Double innerLr,
        Double outerLr,
        Integer epochs,
        String adjust,
        Double logitScale,
        Double maxChange,
        Double heldOutFraction) {

    /** Options without the bilevel mode's scale, bound and held-out share (their defaults apply). */
    public MnemonicsSpec(
            String mode, Integer innerSteps, Double innerLr, Double outerLr, Integer epochs, String adjust) {
        this(mode, innerSteps, innerLr, outerLr, epochs, adjust, null, null, null);
    }
}
