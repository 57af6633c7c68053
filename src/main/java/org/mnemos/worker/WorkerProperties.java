package org.mnemos.worker;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The worker role. {@code enabled=false} makes an API-only process: it queues phases but runs none.
 *
 * @param slots phases run at once on each device (scheduler threads: slots × devices)
 * @param device {@code cpu}; {@code gpu} (every GPU the engine sees, one phase per GPU and slot);
 *     {@code gpu:0,1} (those GPUs); {@code auto} (every GPU when the engine sees one, else the CPU)
 * @param heartbeatSeconds how often a running phase proves it is alive; after
 *     {@code missedHeartbeats} missed beats another worker takes the phase over
 * @param maxAttempts attempts of one phase before the run is FAILED, counting those that ended the process
 * @param pollingSeconds how often idle workers look for due phases
 * @param retryBackoffSeconds delay before the first retry of a failed phase (doubles each time)
 * @param workDir where phase states are unpacked while a phase runs (default: the system temp dir)
 * @param memoryBudget the memory one phase may need at its peak; a spec estimated above it is refused
 *     at submit (default: the GPU's memory when the device resolves to a GPU, else the host's RAM)
 * @param pool the worker pool this worker belongs to: it runs the phases of runs that name this pool in
 *     {@code resources.pool} and those of runs that name none, never another pool's
 * @param maxPhases job mode: the worker ends (exit code 0) once it has run this many phases and they
 *     have ended; 0 (the default): it never ends by itself
 * @param exitWhenIdle job mode: the worker ends (exit code 0) once it has run no phase for this long;
 *     unset (the default): it never ends by itself
 */
@ConfigurationProperties("mnemos.worker")
public record WorkerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1") int slots,
        @DefaultValue("auto") String device,
        @DefaultValue("10") int heartbeatSeconds,
        @DefaultValue("6") int missedHeartbeats,
        @DefaultValue("3") int maxAttempts,
        @DefaultValue("2") int pollingSeconds,
        @DefaultValue("10") int retryBackoffSeconds,
        Path workDir,
        DataSize memoryBudget,
        @DefaultValue(DEFAULT_POOL) String pool,
        @DefaultValue("0") int maxPhases,
        Duration exitWhenIdle) {

    public static final String DEFAULT_POOL = "default";
    /** What the queue metrics call the phases of runs that name no pool; no pool may take the name. */
    public static final String ANY_POOL = "any";

    private static final Pattern POOL_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?");
    /** What a pool name must be: a DNS label (it names the chart's Deployment and the pool's task) of at most 40 characters. */
    public static final String POOL_NAME_RULE =
            "1 to 40 lower-case letters, digits and inner '-', not 'any' (e.g. cpu, gpu-h100)";

    public static boolean isPoolName(String name) {
        return name != null && POOL_NAME.matcher(name).matches() && !name.equals(ANY_POOL);
    }

    @ConstructorBinding
    public WorkerProperties {
        if (slots < 1) {
            throw new IllegalArgumentException("mnemos.worker.slots must be >= 1");
        }
        if (missedHeartbeats < 4) {
            throw new IllegalArgumentException("mnemos.worker.missed-heartbeats must be >= 4 (db-scheduler's minimum)");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("mnemos.worker.max-attempts must be >= 1");
        }
        if (device == null || !WorkerDevices.SYNTAX.matcher(device).matches()) {
            throw new IllegalArgumentException(
                    "mnemos.worker.device must be cpu, auto, gpu or gpu:<ids> (e.g. gpu:0,1)");
        }
        if (workDir == null) {
            workDir = Path.of(System.getProperty("java.io.tmpdir"), "mnemos-work");
        }
        if (memoryBudget != null && memoryBudget.toBytes() <= 0) {
            throw new IllegalArgumentException("mnemos.worker.memory-budget must be positive");
        }
        if (!isPoolName(pool)) {
            throw new IllegalArgumentException("mnemos.worker.pool must be " + POOL_NAME_RULE);
        }
        if (maxPhases < 0) {
            throw new IllegalArgumentException("mnemos.worker.max-phases must be >= 0 (0: no limit)");
        }
        if (exitWhenIdle != null && (exitWhenIdle.isNegative() || exitWhenIdle.isZero())) {
            throw new IllegalArgumentException(
                    "mnemos.worker.exit-when-idle must be a positive duration (e.g. 10m, PT30S); leave it out to"
                            + " never end when idle");
        }
    }

    /** A worker of {@code pool} that never ends by itself. */
    public WorkerProperties(
            boolean enabled,
            int slots,
            String device,
            int heartbeatSeconds,
            int missedHeartbeats,
            int maxAttempts,
            int pollingSeconds,
            int retryBackoffSeconds,
            Path workDir,
            DataSize memoryBudget,
            String pool) {
        this(
                enabled,
                slots,
                device,
                heartbeatSeconds,
                missedHeartbeats,
                maxAttempts,
                pollingSeconds,
                retryBackoffSeconds,
                workDir,
                memoryBudget,
                pool,
                0,
                null);
    }

    /** A worker of the default pool. */
    public WorkerProperties(
            boolean enabled,
            int slots,
            String device,
            int heartbeatSeconds,
            int missedHeartbeats,
            int maxAttempts,
            int pollingSeconds,
            int retryBackoffSeconds,
            Path workDir,
            DataSize memoryBudget) {
        this(
                enabled,
                slots,
                device,
                heartbeatSeconds,
                missedHeartbeats,
                maxAttempts,
                pollingSeconds,
                retryBackoffSeconds,
                workDir,
                memoryBudget,
                DEFAULT_POOL);
    }

    /** Whether phases run on GPUs: any {@code gpu} setting, and {@code auto} when the engine sees one. */
    public boolean onGpu() {
        return device.startsWith("gpu") || device.equals("auto") && visibleGpus() > 0;
    }

    /** The devices phases train on; asks the engine how many GPUs it sees unless the setting is {@code cpu}. */
    public WorkerDevices resolveDevices() {
        return WorkerDevices.resolve(device, device.equals("cpu") ? 0 : visibleGpus());
    }

    private static int visibleGpus() {
        return Engine.getEngine("PyTorch").getGpuCount();
    }
}
