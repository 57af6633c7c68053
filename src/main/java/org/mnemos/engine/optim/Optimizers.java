package org.mnemos.engine.optim;

import java.util.List;
import java.util.Locale;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.OptimizerSpec;

/** Builds the optimizer an {@link OptimizerSpec} names; unset fields take PyTorch's defaults. */
public final class Optimizers {

    public static final List<String> NAMES = List.of("sgd", "adam");

    private Optimizers() {}

    /** {@code sgd} (momentum 0, weight decay 0, no nesterov unless set) or {@code adam} (betas 0.9/0.999). */
    public static Optimizer create(OptimizerSpec spec) {
        if (spec == null || spec.name() == null) {
            throw new SpecException("training.optimizer.name", "required; allowed: " + NAMES);
        }
        float weightDecay = nonNegative(spec.weightDecay(), 0.0, "training.optimizer.weightDecay");
        return switch (spec.name().toLowerCase(Locale.ROOT)) {
            case "sgd" -> {
                float momentum = nonNegative(spec.momentum(), 0.0, "training.optimizer.momentum");
                boolean nesterov = Boolean.TRUE.equals(spec.nesterov());
                if (nesterov && momentum == 0f) {
                    throw new SpecException("training.optimizer.nesterov", "nesterov needs a positive momentum");
                }
                yield Sgd.builder()
                        .optMomentum(momentum)
                        .optWeightDecay(weightDecay)
                        .optNesterov(nesterov)
                        .build();
            }
            case "adam" -> {
                float beta1 = beta(spec.beta1(), 0.9, "training.optimizer.beta1");
                float beta2 = beta(spec.beta2(), 0.999, "training.optimizer.beta2");
                yield Adam.builder()
                        .optBetas(beta1, beta2)
                        .optWeightDecay(weightDecay)
                        .build();
            }
            default ->
                throw new SpecException(
                        "training.optimizer.name", "unknown optimizer '" + spec.name() + "'; allowed: " + NAMES);
        };
    }

    private static float nonNegative(Double value, double fallback, String field) {
        double v = value == null ? fallback : value;
        if (!(v >= 0)) {
            throw new SpecException(field, "must be >= 0, got " + v);
        }
        return (float) v;
    }

    private static float beta(Double value, double fallback, String field) {
        double v = value == null ? fallback : value;
        if (!(v >= 0 && v < 1)) {
            throw new SpecException(field, "must lie in [0, 1), got " + v);
        }
        return (float) v;
    }
}
