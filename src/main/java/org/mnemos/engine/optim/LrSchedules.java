package org.mnemos.engine.optim;

import java.util.List;
import java.util.Locale;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ScheduleSpec;

/** The PyTorch schedules a {@link ScheduleSpec} can name. */
public final class LrSchedules {

    public static final List<String> NAMES = List.of("constant", "multistep", "cosine");

    /** MultiStepLR's default gamma. */
    public static final double DEFAULT_GAMMA = 0.1;

    private LrSchedules() {}

    public static LrSchedule constant(double baseLr) {
        return epoch -> baseLr;
    }

    /** MultiStepLR: baseLr · gamma^(number of milestones ≤ epoch). */
    public static LrSchedule multiStep(double baseLr, List<Integer> milestones, double gamma) {
        int[] sorted = milestones.stream().mapToInt(Integer::intValue).sorted().toArray();
        return epoch -> {
            int passed = 0;
            while (passed < sorted.length && sorted[passed] <= epoch) {
                passed++;
            }
            return baseLr * Math.pow(gamma, passed);
        };
    }

    /** CosineAnnealingLR with eta_min 0: baseLr · (1 + cos(π·epoch / tMax)) / 2. */
    public static LrSchedule cosine(double baseLr, int tMax) {
        return epoch -> baseLr * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }

    /** A null spec or name means constant; {@code totalEpochs} is the cosine period. */
    public static LrSchedule create(ScheduleSpec spec, double baseLr, int totalEpochs) {
        if (!(baseLr > 0)) {
            throw new SpecException("training.optimizer.lr", "must be positive, got " + baseLr);
        }
        String name =
                spec == null || spec.name() == null ? "constant" : spec.name().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "constant" -> constant(baseLr);
            case "multistep" -> {
                List<Integer> milestones = spec.milestones();
                if (milestones == null
                        || milestones.isEmpty()
                        || milestones.stream().anyMatch(m -> m == null || m <= 0)) {
                    throw new SpecException(
                            "training.schedule.milestones", "multistep needs positive milestones, got " + milestones);
                }
                double gamma = spec.gamma() == null ? DEFAULT_GAMMA : spec.gamma();
                if (!(gamma > 0)) {
                    throw new SpecException("training.schedule.gamma", "must be positive, got " + gamma);
                }
                yield multiStep(baseLr, milestones, gamma);
            }
            case "cosine" -> {
                if (totalEpochs <= 0) {
                    throw new IllegalArgumentException("cosine annealing needs a positive period, got " + totalEpochs);
                }
                yield cosine(baseLr, totalEpochs);
            }
            default ->
                throw new SpecException(
                        "training.schedule.name", "unknown schedule '" + spec.name() + "'; allowed: " + NAMES);
        };
    }
}
