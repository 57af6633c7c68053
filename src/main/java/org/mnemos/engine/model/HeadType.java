package org.mnemos.engine.model;

/** Classifier of an {@link IncrementalNet}. */
public enum HeadType {
    /** Plain linear layer with bias (iCaRL, LwF, BiC, ...). */
    LINEAR,
    /** LUCIR's cosine-normalised classifier, sigma · cos(f, w), no bias. */
    COSINE,
    /** PODNet's local similarity classifier: K proxies per class merged by a softmax attention. */
    LSC
}
