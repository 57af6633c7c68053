package org.mnemos.engine.metrics;

import ai.djl.nn.Parameter;

/**
 * What a phase's run keeps in bytes: the network it evaluated and the exemplar memory after the
 * phase, the two figures memory-aligned comparisons add up.
 *
 * @param modelBytes every parameter and buffer of the evaluated network (BatchNorm's running
 *     statistics included) at its data type
 * @param bufferBytes the part of {@code modelBytes} that is buffers (BatchNorm's running statistics)
 * @param exemplarBytes the stored exemplars' pixel arrays at their precision, as the literature
 *     accounts memory (the phase's {@code memoryBytes}); labels and boxes not counted
 * @param totalBytes model and exemplar bytes together
 */
public record FootprintReport(long modelBytes, long bufferBytes, long exemplarBytes, long totalBytes)
        implements PartReport {

    public static final String NAME = "footprint";

    /** The footprint of a network with {@code parameters} (its parameters and buffers) and a memory of {@code exemplarBytes}. */
    public static FootprintReport of(Iterable<Parameter> parameters, long exemplarBytes) {
        long model = 0;
        long buffers = 0;
        for (Parameter parameter : parameters) {
            long bytes = parameter.getArray().size()
                    * parameter.getArray().getDataType().getNumOfBytes();
            model += bytes;
            if (parameter.getType() == Parameter.Type.RUNNING_MEAN
                    || parameter.getType() == Parameter.Type.RUNNING_VAR) {
                buffers += bytes;
            }
        }
        return new FootprintReport(model, buffers, exemplarBytes, model + exemplarBytes);
    }

    @Override
    public String reportName() {
        return NAME;
    }
}
