package org.mnemos.config;

import ai.djl.util.cuda.CudaUtils;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mnemos.engine.DataPathException;
import org.mnemos.engine.Datasets;
import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.web.FieldProblem;
import org.mnemos.worker.WorkerPools;
import org.mnemos.worker.WorkerProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Refuses at submit a run whose estimated peak memory ({@link PeakMemory}) exceeds the budget of
 * every worker pool that could run it, and routes a run that names no pool. A pool's budget is what
 * its workers registered or what {@code mnemos.pools} declares ({@link WorkerPools}); a worker's
 * budget is {@code mnemos.worker.memory-budget}, else the GPU's memory when phases run on a GPU,
 * else the host's RAM (the container's limit inside a container). While no pool is known, this
 * process's own budget stands for the workers'. A phase that does not fit would otherwise be ended
 * by the OOM killer, taking the worker with it.
 */
@Component
public class RunMemoryCheck {

    private static final String POOL_FIELD = "resources.pool";

    private final Datasets datasets;
    private final WorkerProperties worker;
    private final WorkerPools pools;
    private volatile Budget budget;

    /** @param onGpu whether phases run on a GPU, so that the budget is the device's memory */
    public record Budget(long bytes, String source, boolean onGpu) {}

    /** Where a run goes: a pool that fits it (null: any pool), or the problem that refuses it. */
    public record Routing(String pool, FieldProblem problem) {}

    /** A check without worker pools: this process's budget stands for every worker's. */
    public RunMemoryCheck(Datasets datasets, WorkerProperties worker) {
        this(datasets, worker, null);
    }

    @Autowired
    public RunMemoryCheck(Datasets datasets, WorkerProperties worker, WorkerPools pools) {
        if (worker.device().startsWith("gpu") && worker.memoryBudget() == null && CudaUtils.getGpuCount() == 0) {
            // e.g. an API-only replica for GPU workers: refuse to start rather than refuse every submission
            throw new IllegalStateException(
                    "mnemos.worker.device is gpu but this process sees no GPU to take the memory budget"
                            + " from; set mnemos.worker.memory-budget to the workers' GPU memory");
        }
        this.datasets = datasets;
        this.worker = worker;
        this.pools = pools;
    }

    /** A problem naming the field that drives the estimate or the unknown pool; a spec otherwise invalid passes here. */
    public Optional<FieldProblem> check(ExperimentSpec spec) {
        return Optional.ofNullable(route(spec).problem());
    }

    /** The pool a valid run's phases go to; empty when any pool may run them. */
    public Optional<String> pinnedPool(ExperimentSpec spec) {
        return Optional.ofNullable(route(spec).pool());
    }

    /**
     * A run that names a pool goes there if it fits that pool's budget. One that names none goes to
     * any pool when it fits every pool's budget, else to the pool with the smallest budget it fits
     * (the larger machines stay free for the runs that need them), else is refused naming the
     * largest budget.
     */
    Routing route(ExperimentSpec spec) {
        Map<String, WorkerPools.Pool> known = pools == null ? Map.of() : pools.known();
        String asked = spec.poolOrAny();
        if (asked != null && !known.containsKey(asked)) {
            return refuse(
                    POOL_FIELD,
                    "unknown pool '" + asked + "'; "
                            + (known.isEmpty()
                                    ? "no pool is known yet: start a worker with mnemos.worker.pool=" + asked
                                            + " or declare mnemos.pools." + asked
                                    : "known pools: " + known.keySet()));
        }
        if (known.isEmpty()) {
            Budget local = budget();
            return fits(spec, local.bytes(), local.onGpu())
                    .map(estimate -> refuse(estimate, local.bytes(), local.source()))
                    .orElse(new Routing(null, null));
        }
        if (asked != null) {
            WorkerPools.Pool pool = known.get(asked);
            return fits(spec, pool.memoryBudget(), pool.onGpu())
                    .map(estimate -> refuse(estimate, pool.memoryBudget(), "pool '" + asked + "', " + pool.source()))
                    .orElse(new Routing(asked, null));
        }
        List<WorkerPools.Pool> bySize = known.values().stream()
                .sorted(Comparator.comparingLong(WorkerPools.Pool::memoryBudget).thenComparing(WorkerPools.Pool::name))
                .toList();
        List<WorkerPools.Pool> fitting = new ArrayList<>();
        PeakMemory.Estimate tooLarge = null;
        for (WorkerPools.Pool pool : bySize) {
            Optional<PeakMemory.Estimate> refused = fits(spec, pool.memoryBudget(), pool.onGpu());
            if (refused.isEmpty()) {
                fitting.add(pool);
            } else {
                tooLarge = refused.get();
            }
        }
        if (fitting.size() == bySize.size()) {
            return new Routing(null, null);
        }
        if (!fitting.isEmpty()) {
            return new Routing(fitting.get(0).name(), null);
        }
        WorkerPools.Pool largest = bySize.get(bySize.size() - 1);
        return refuse(
                tooLarge,
                largest.memoryBudget(),
                "the largest of the pools " + known.keySet() + ": pool '" + largest.name() + "', " + largest.source());
    }

    /** The estimate when the run does not fit {@code bytes}; empty when it fits or cannot be planned. */
    private Optional<PeakMemory.Estimate> fits(ExperimentSpec spec, long bytes, boolean onGpu) {
        PeakMemory.Estimate estimate;
        try {
            estimate = datasets.estimatePeak(spec, onGpu);
        } catch (SpecException | DataPathException e) {
            // what makes the spec unplannable is reported by the other checks and by the planner
            return Optional.empty();
        }
        return estimate.totalBytes() <= bytes ? Optional.empty() : Optional.of(estimate);
    }

    private static Routing refuse(String field, String message) {
        return new Routing(null, new FieldProblem(field, message));
    }

    private static Routing refuse(PeakMemory.Estimate estimate, long budget, String source) {
        return refuse(
                estimate.field(),
                "the run would need about " + PeakMemory.gib(estimate.totalBytes())
                        + " at its peak (" + estimate.breakdown() + "), more than the memory budget of "
                        + PeakMemory.gib(budget)
                        + " (" + source + "); " + advice(estimate.field()));
    }

    private static String advice(String field) {
        if (field.startsWith("method.")) {
            return "lower " + field;
        }
        return switch (field) {
            case "training.batchSize" -> "lower training.batchSize";
            case "dataset" -> "use a smaller data set or image size";
            case "model.hiddenUnits" -> "use fewer or smaller hidden layers";
            default -> "use a smaller backbone";
        };
    }

    /** This process's worker budget: the check's budget while no pool is known. */
    Budget budget() {
        Budget current = budget;
        if (current == null) {
            current = budgetOf(worker);
            budget = current;
        }
        return current;
    }

    /** A worker's budget, which it registers for its pool when it starts. */
    public static Budget budgetOf(WorkerProperties worker) {
        boolean onGpu = worker.onGpu();
        if (worker.memoryBudget() != null) {
            return new Budget(worker.memoryBudget().toBytes(), "mnemos.worker.memory-budget", onGpu);
        }
        if (onGpu) {
            // a phase may land on any of the worker's GPUs, so the smallest one decides
            long smallest = worker.resolveDevices().devices().stream()
                    .mapToLong(gpu -> CudaUtils.getGpuMemory(gpu).getMax())
                    .min()
                    .orElseThrow();
            return new Budget(smallest, "GPU memory", true);
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Budget(os.getTotalMemorySize(), "host RAM", false);
    }
}
