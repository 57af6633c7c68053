package org.mnemos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.spec.DatasetSpec;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.OptimizerSpec;
import org.mnemos.engine.spec.ProtocolSpec;
import org.mnemos.engine.spec.TrainingSpec;
import org.mnemos.engine.util.ResidentMemory;

/** Native memory is owned: a 10-phase run leaves no NDArray behind and the process does not grow. */
class PhaseMemoryTest {

    @Test
    void tenPhasesLeaveNoLiveArraysAndNoProcessGrowth(@TempDir Path dir) throws IOException {
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(dir))));
        ExperimentSpec spec = new ExperimentSpec(
                "memory",
                3L,
                null,
                new DatasetSpec("synthetic", null, null, 20, 100, 20, 16, 1),
                new ProtocolSpec(2, 2, null, null, "natural", null, null),
                new ModelSpec("mlp", List.of(64), "linear"),
                MethodSpec.named("icarl"),
                new MemorySpec("herding", 10, null),
                new TrainingSpec(
                        null, 60, 32, new OptimizerSpec("sgd", 0.05, 0.9, 0.0, false, null, null), null, true));
        RunPlan plan = engine.plan(spec);
        assertThat(plan.phaseCount()).isEqualTo(10);
        List<Integer> liveArrays = new ArrayList<>();
        List<Long> residentKb = new ArrayList<>();
        Path previous = null;
        for (int phase = 0; phase < plan.phaseCount(); phase++) {
            Path state = Files.createDirectories(dir.resolve("phase-" + phase));
            engine.runPhase(plan, phase, previous, state, Device.cpu(), p -> {}, () -> false);
            previous = state;
            System.gc();
            liveArrays.add(liveArrays());
            residentKb.add(ResidentMemory.kilobytes());
        }
        System.out.println("live arrays per phase " + liveArrays + ", resident kB " + residentKb);
        assertThat(liveArrays).allMatch(count -> count.equals(liveArrays.get(0)));
        assertThat(residentKb).as("VmRSS in /proc/self/status").allMatch(kb -> kb > 0);
        // after warm-up (allocator pools, JIT), phases 3..9 must not keep adding memory
        assertThat(residentKb.get(9) - residentKb.get(3)).isLessThan(64 * 1024);
    }

    /** Every array of the process: the engine's root manager counts its sub-managers' arrays. */
    private static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }
}
