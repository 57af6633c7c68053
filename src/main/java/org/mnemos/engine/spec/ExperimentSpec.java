package org.mnemos.engine.spec;

/**
 * A fully resolved experiment: what a client POSTs after its preset (if any) has been merged in.
 * Every component is a plain record so the same object is the JSON contract, the engine's input and
 * what is stored as the run's "resolved spec". {@code resources} says where it runs (the service's
 * concern; the engine ignores it).
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
        TrainingSpec training,
        ResourcesSpec resources) {

    /** A spec that runs on any pool. */
    public ExperimentSpec(
            String name,
            Long seed,
            String preset,
            DatasetSpec dataset,
            ProtocolSpec protocol,
            ModelSpec model,
            MethodSpec method,
            MemorySpec memory,
            TrainingSpec training) {
        this(name, seed, preset, dataset, protocol, model, method, memory, training, null);
    }

    /** The pool the spec asks for; null for any. */
    public String poolOrAny() {
        return resources == null ? null : resources.pool();
    }

    /** The run's queue priority, higher first; 0 when the spec names none. */
    public int priorityOrDefault() {
        return resources == null ? ResourcesSpec.DEFAULT_PRIORITY : resources.priorityOrDefault();
    }

    public long seedOrDefault() {
        return seed == null ? 0L : seed;
    }
}
