package org.mnemos.engine.parts.memory;

import java.util.List;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.parts.Composition;
import org.mnemos.engine.parts.Part;
import org.mnemos.engine.parts.Parts;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsPart;
import org.mnemos.engine.spec.CamCompressionSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.NoCompressionSpec;

/**
 * The compressions at {@code memory.compression} that need no training of their own: none (the
 * default) and cam (each image's box from the network's class activation map kept, the rest
 * downsampled); and the checks every compression shares.
 */
public final class CompressionParts {

    /** Downsampling by more than √256 = 16 per side leaves nothing of the image. */
    static final double MAX_COMPRESSION_RATIO = 256;

    public static final Part<NoCompressionSpec> NONE = new Part<>() {
        @Override
        public String path() {
            return Parts.COMPRESSION;
        }

        @Override
        public String name() {
            return NoCompressionSpec.NAME;
        }

        @Override
        public Class<NoCompressionSpec> specType() {
            return NoCompressionSpec.class;
        }

        @Override
        public String description() {
            return "Exemplars are stored whole.";
        }

        @Override
        public void compose(NoCompressionSpec spec, ExperimentSpec run, Composition composition) {}
    };

    public static final Part<CamCompressionSpec> CAM = new Part<>() {
        @Override
        public String path() {
            return Parts.COMPRESSION;
        }

        @Override
        public String name() {
            return CamCompressionSpec.NAME;
        }

        @Override
        public Class<CamCompressionSpec> specType() {
            return CamCompressionSpec.class;
        }

        @Override
        public String description() {
            return "The box of each exemplar's class activation map kept, the rest downsampled by the ratio.";
        }

        @Override
        public CamCompressionSpec resolve(CamCompressionSpec given, ExperimentSpec run) {
            return given.resolved();
        }

        @Override
        public void check(CamCompressionSpec given, ExperimentSpec run, SpecProblems problems) {
            checkShared(given.ratio(), given.threshold(), run, problems);
        }

        @Override
        public void compose(CamCompressionSpec spec, ExperimentSpec run, Composition composition) {
            CamCompressionSpec options = spec.resolved();
            composition.memory().compression(CamCompressionSpec.NAME, options.ratio(), options.threshold(), null);
        }
    };

    public static final List<Part<?>> PARTS = List.of(NONE, CAM);

    private CompressionParts() {}

    /**
     * What every compression needs: stored (not optimised) images, the feature maps of a
     * convolutional backbone for its CAMs, a single network; and its ratio and threshold in range.
     */
    public static void checkShared(Double ratio, Double threshold, ExperimentSpec run, SpecProblems problems) {
        String field = Parts.COMPRESSION;
        if (run.memory() != null && MnemonicsPart.NAME.equals(Parts.selector(run.memory()))) {
            problems.add(field, "compresses stored images; selector mnemonics optimises them instead");
        }
        if (run.model() != null
                && run.model().backbone() != null
                && "mlp".equalsIgnoreCase(run.model().backbone())) {
            problems.add(
                    field,
                    "needs the feature maps of a convolutional backbone (resnet32, resnet18, resnet8) for its CAMs; mlp has none");
        }
        if (run.model() != null && run.model().aggregation() != null) {
            problems.add(field, "is not supported together with model.aggregation");
        }
        if (ratio != null && !(ratio >= 1 && ratio <= MAX_COMPRESSION_RATIO)) {
            problems.add(field + ".ratio", "must be between 1 and " + MAX_COMPRESSION_RATIO);
        }
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            problems.add(
                    field + ".threshold", "must be between 0 and 1 (1: every box empty, the whole image downsampled)");
        }
    }
}
