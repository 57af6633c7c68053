package org.mnemos.engine.phase;

/** How a method classifies at test time. */
public enum ClassifierRule {
    /** argmax of the network's output layer. */
    CNN,
    /** nearest mean of exemplars in the normalised feature space (iCaRL). */
    NME;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
