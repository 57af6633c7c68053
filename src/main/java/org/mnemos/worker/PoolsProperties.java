package org.mnemos.worker;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Worker pools declared to the API ({@code mnemos.pools.<name>.memory-budget}, {@code .gpu}): a pool
 * that no worker has registered yet, e.g. one an autoscaler keeps at zero replicas until a phase
 * waits for it. A declaration overrides what the pool's workers registered.
 */
@ConfigurationProperties("mnemos")
public record PoolsProperties(Map<String, Declared> pools) {

    /** @param gpu whether the pool's phases run on GPUs (the estimate then leaves out host-only memory) */
    public record Declared(DataSize memoryBudget, boolean gpu) {}

    public PoolsProperties {
        pools = pools == null ? Map.of() : Map.copyOf(pools);
        pools.forEach((name, declared) -> {
            if (!WorkerProperties.isPoolName(name)) {
                throw new IllegalArgumentException(
                        "mnemos.pools." + name + ": a pool name is " + WorkerProperties.POOL_NAME_RULE);
            }
            if (declared == null
                    || declared.memoryBudget() == null
                    || declared.memoryBudget().toBytes() <= 0) {
                throw new IllegalArgumentException(
                        "mnemos.pools." + name + ".memory-budget is required and must be positive");
            }
        });
    }
}
