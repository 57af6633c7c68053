package org.mnemos.engine.spec;

/**
 * Options of the {@code mnemonics} selector (Liu et al. 2020); every field is optional.
 *
 * @param mode {@code bilevel} (default: unrolled inner steps, differentiated through),
 *     {@code firstOrder} (the inner steps' gradients are treated as constants) or {@code code} (the
 *     published code's single-level loop: class-mean cosine classifier, SGD)
 * @param innerSteps SGD steps of the temporary classifier on the exemplars (default 5; not for code)
 * @param innerLr learning rate of those steps (default 1.0; not for code)
 * @param outerLr learning rate of the exemplar intensities, in normalised input units: Adam, default
 *     0.01; SGD (momentum 0.9, weight decay 5e-4) at default 1e-5 in the code mode
 * @param epochs passes over the phase's real training data, one exemplar step per batch (default 1)
 * @param adjust {@code new} (default: the classes of this phase) or {@code all} seen classes
 */
public record MnemonicsSpec(
        String mode, Integer innerSteps, Double innerLr, Double outerLr, Integer epochs, String adjust) {}
