package org.mnemos.engine.parts.model.aanets;

import java.util.List;
import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.model.BranchType;
import org.mnemos.engine.parts.Composition;
import org.mnemos.engine.parts.MethodPart;
import org.mnemos.engine.parts.Part;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.spec.AanetsSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.LucirSpec;

/**
 * Adaptive Aggregation Networks (Liu, Schiele, Sun, CVPR 2021) at {@code model.aggregation}: a
 * stable and a plastic branch at every level from phase 1 on, mixed by weights learned on a
 * class-balanced set of exemplars with the method's classification loss.
 */
public final class AanetsPart implements Part<AanetsSpec> {

    public static final AanetsPart PART = new AanetsPart();

    /**
     * The backbones AANets aggregates: convolutional ones, whose stable branch rescales every (out,
     * in) kernel slice (AANets' ss). The MLP's stable layer could only rescale whole units, too rigid
     * to learn new classes (bench/RESULTS.md, issue 21), so it is refused rather than extended.
     */
    static final List<String> AGGREGATED_BACKBONES = List.of("resnet32", "resnet8", "resnet18");

    static final String NEEDS_CONV = "AANets needs a convolutional backbone (" + String.join(", ", AGGREGATED_BACKBONES)
            + "): an MLP's stable branch can only rescale whole units and does not learn new classes; got ";

    private AanetsPart() {}

    @Override
    public String path() {
        return Parts.AGGREGATION;
    }

    @Override
    public String name() {
        return AanetsSpec.NAME;
    }

    @Override
    public Class<AanetsSpec> specType() {
        return AanetsSpec.class;
    }

    @Override
    public String description() {
        return "AANets (Liu et al. 2021): stable and plastic branches at every level, mixed by learned aggregation weights.";
    }

    /** Branch types and the gradient treatment of the run's method's official trainer. */
    @Override
    public AanetsSpec resolve(AanetsSpec given, ExperimentSpec run) {
        return given.resolved(accumulatesByDefault(run.method().name()));
    }

    /**
     * Whether the official trainer of {@code method} never zeroes the aggregation weights' gradients:
     * LUCIR's does (yaoyao-liu/class-incremental-learning@6a92ab0), iCaRL's zeroes them every step.
     */
    static boolean accumulatesByDefault(String method) {
        return LucirSpec.NAME.equals(method);
    }

    @Override
    public void check(AanetsSpec aanets, ExperimentSpec run, SpecProblems problems) {
        String field = Parts.AGGREGATION;
        if (aanets.stableBranch() != null && !BranchType.NAMES.contains(aanets.stableBranch())) {
            problems.add(field + ".stableBranch", "must be one of " + BranchType.NAMES);
        }
        if (aanets.plasticBranch() != null && !BranchType.NAMES.contains(aanets.plasticBranch())) {
            problems.add(field + ".plasticBranch", "must be one of " + BranchType.NAMES);
        }
        if (aanets.fusionLr() != null && !(aanets.fusionLr() >= 0 && aanets.fusionLr() <= 1)) {
            problems.add(
                    field + ".fusionLr",
                    "must lie in [0, 1] (0 keeps every aggregation weight at 0.5), got " + aanets.fusionLr());
        }
        if (run.model().backbone() != null
                && !AGGREGATED_BACKBONES.contains(run.model().backbone())) {
            problems.add(field, NEEDS_CONV + run.model().backbone());
        }
        String method = run.method() == null ? null : run.method().name();
        if (Parts.find(Parts.METHOD, method) instanceof MethodPart<?> part
                && !part.createDefault().keepsExemplars()
                && !(part.takesOptionalMemory() && run.memory() != null)) {
            problems.add(
                    field, "AANets learns its aggregation weights on exemplars; method '" + method + "' keeps none");
        }
    }

    @Override
    public void compose(AanetsSpec spec, ExperimentSpec run, Composition composition) {
        composition.addHook(new AggregationWeightLearning(spec, composition.method()));
    }

    /** From phase 1 on every level runs a second branch beside the first, with its own weights and activations. */
    @Override
    public void footprint(AanetsSpec spec, ExperimentSpec run, PeakMemory.Footprint footprint) {
        // counted as trainable: a free branch is, a scaled one nearly
        footprint.scaleNetwork(2);
    }
}
