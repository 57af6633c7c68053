package org.mnemos.engine.spec;

/**
 * A fully resolved experiment: what a client POSTs after its preset (if any) has been merged in.
 * Every component is a plain record so the same object is the JSON contract, the engine's input and
 * what is stored as the run's "resolved spec".
 */
public record ExperimentSpec(
        String name,
        Long seed,
        String preset,
        DatasetSpec dataset,
        ProtocolSpec protocol,
        ModelSpec model,
        MethodSpec method,
        MemorySpec memory,
        TrainingSpec training) {

    public long seedOrDefault() {
        return seed == null ? 0L : seed;
    }
}
