package org.mnemos.engine.spec;

/** {@code sgd} or {@code adam}, with PyTorch's semantics and defaults. */
public record OptimizerSpec(
        String name, Double lr, Double momentum, Double weightDecay, Boolean nesterov, Double beta1, Double beta2) {}
