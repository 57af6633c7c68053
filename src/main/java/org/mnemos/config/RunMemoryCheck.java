package org.mnemos.config;

import ai.djl.util.cuda.CudaUtils;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.SpecDefaults;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.data.DataPathException;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.DatasetInfo;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.web.FieldProblem;
import org.mnemos.worker.WorkerProperties;
import org.springframework.stereotype.Component;

/**
 * Refuses at submit a run whose estimated peak memory ({@link PeakMemory}) exceeds the workers'
 * budget: {@code mnemos.worker.memory-budget}, else the GPU's memory when phases run on a GPU, else
 * the host's RAM (the container's limit inside a container). A phase that does not fit would
 * otherwise be ended by the OOM killer, taking the worker with it.
 */
@Component
public class RunMemoryCheck {

    private final DatasetCatalog datasets;
    private final WorkerProperties worker;
    private volatile Budget budget;

    /** @param onGpu whether phases run on a GPU, so that the budget is the device's memory */
    record Budget(long bytes, String source, boolean onGpu) {}

    public RunMemoryCheck(DatasetCatalog datasets, WorkerProperties worker) {
        if (worker.device().startsWith("gpu") && worker.memoryBudget() == null && CudaUtils.getGpuCount() == 0) {
            // e.g. an API-only replica for GPU workers: refuse to start rather than refuse every submission
            throw new IllegalStateException("mnemos.worker.device is gpu but this process sees no GPU to take the memory budget"
                    + " from; set mnemos.worker.memory-budget to the workers' GPU memory");
        }
        this.datasets = datasets;
        this.worker = worker;
    }

    /** A problem naming the field that drives the estimate, when the run would not fit; a spec otherwise invalid passes here. */
    public Optional<FieldProblem> check(ExperimentSpec spec) {
        Budget limit = budget();
        PeakMemory.Estimate estimate;
        try {
            DatasetInfo info = datasets.describe(spec.dataset());
            ExperimentSpec resolved = SpecDefaults.resolve(spec, info.channels());
            estimate = PeakMemory.estimate(resolved, info, datasets.imageCount(spec.dataset()), limit.onGpu());
        } catch (SpecException | DataPathException e) {
            // what makes the spec unplannable is reported by the other checks and by the planner
            return Optional.empty();
        }
        if (estimate.totalBytes() <= limit.bytes()) {
            return Optional.empty();
        }
        return Optional.of(new FieldProblem(estimate.field(), "the run would need about " + PeakMemory.gib(estimate.totalBytes())
                + " at its peak (" + estimate.breakdown() + "), more than the memory budget of " + PeakMemory.gib(limit.bytes())
                + " (" + limit.source() + "); " + advice(estimate.field())));
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

    Budget budget() {
        Budget current = budget;
        if (current == null) {
            boolean onGpu = worker.onGpu();
            if (worker.memoryBudget() != null) {
                current = new Budget(worker.memoryBudget().toBytes(), "mnemos.worker.memory-budget", onGpu);
            } else if (onGpu) {
                // a phase may land on any of the worker's GPUs, so the smallest one decides
                long smallest = worker.resolveDevices().devices().stream()
                        .mapToLong(gpu -> CudaUtils.getGpuMemory(gpu).getMax()).min().orElseThrow();
                current = new Budget(smallest, "GPU memory", true);
            } else {
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                current = new Budget(os.getTotalMemorySize(), "host RAM", false);
            }
            budget = current;
        }
        return current;
    }
}
