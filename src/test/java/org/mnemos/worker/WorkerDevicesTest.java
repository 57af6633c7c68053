package org.mnemos.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which devices a worker setting selects, and how phases are spread over them; runs without a GPU. */
class WorkerDevicesTest {

    @Test
    void settingsSelectTheCpuEveryGpuOrTheNamedGpus() {
        assertThat(WorkerDevices.select("cpu", 4)).containsExactly(Device.cpu());
        assertThat(WorkerDevices.select("auto", 0)).containsExactly(Device.cpu());
        assertThat(WorkerDevices.select("auto", 2)).containsExactly(Device.gpu(0), Device.gpu(1));
        assertThat(WorkerDevices.select("gpu", 3)).containsExactly(Device.gpu(0), Device.gpu(1), Device.gpu(2));
        assertThat(WorkerDevices.select("gpu:2,0", 3)).containsExactly(Device.gpu(2), Device.gpu(0));
    }

    @Test
    void askingForGpusTheEngineDoesNotSeeStopsTheWorkerWithTheReason() {
        assertThatThrownBy(() -> WorkerDevices.select("gpu", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sees no GPU");
        assertThatThrownBy(() -> WorkerDevices.select("gpu:1", 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("names gpu 1 but the engine sees 1 GPU");
        assertThatThrownBy(() -> WorkerDevices.select("gpu:0,0", 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void theSettingIsCheckedWhenThePropertiesAreBound() {
        for (String wrong : List.of("GPU", "gpu:", "gpu:a", "gpu:0,", "cuda", "cpu,gpu", "")) {
            assertThatThrownBy(() -> properties(wrong))
                    .as(wrong)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mnemos.worker.device");
        }
        assertThat(properties("gpu:0,1").device()).isEqualTo("gpu:0,1");
    }

    @Test
    void eachPhaseLeasesTheLeastBusyGpuSoTwoGpusRunTwoPhasesOnePerGpu() {
        WorkerDevices devices = WorkerDevices.resolve("gpu", 2);
        WorkerDevices.Lease first = devices.acquire();
        WorkerDevices.Lease second = devices.acquire();
        assertThat(List.of(first.device(), second.device())).containsExactly(Device.gpu(0), Device.gpu(1));
        assertThat(devices.running()).containsExactly(1, 1);

        first.close();
        first.close(); // closing twice releases once
        assertThat(devices.running()).containsExactly(0, 1);
        try (WorkerDevices.Lease third = devices.acquire()) {
            assertThat(third.device()).isEqualTo(Device.gpu(0));
        }
        second.close();
        assertThat(devices.running()).containsExactly(0, 0);
    }

    @Test
    void withTwoSlotsPerGpuFourConcurrentPhasesSplitTwoAndTwo() throws InterruptedException {
        WorkerDevices devices = WorkerDevices.resolve("gpu:0,1", 2);
        List<WorkerDevices.Lease> leases = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread thread = new Thread(() -> {
                WorkerDevices.Lease lease = devices.acquire();
                synchronized (leases) {
                    leases.add(lease);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(devices.running()).containsExactly(2, 2);
        assertThat(leases)
                .extracting(lease -> WorkerDevices.name(lease.device()))
                .containsExactlyInAnyOrder("gpu:0", "gpu:0", "gpu:1", "gpu:1");
    }

    @Test
    void aPoolIsNamedLikeADnsLabelAndAnyIsReserved() {
        assertThat(new WorkerProperties(true, 1, "cpu", 10, 6, 3, 2, 10, null, null, "gpu-h100").pool())
                .isEqualTo("gpu-h100");
        assertThat(properties("cpu").pool()).isEqualTo(WorkerProperties.DEFAULT_POOL);
        for (String bad : List.of("", "GPU", "-gpu", "gpu-", "gpu_1", "a".repeat(41), "any")) {
            assertThatThrownBy(() -> new WorkerProperties(true, 1, "cpu", 10, 6, 3, 2, 10, null, null, bad))
                    .as(bad)
                    .hasMessageContaining("mnemos.worker.pool must be 1 to 40 lower-case letters");
        }
        assertThatThrownBy(() -> new PoolsProperties(java.util.Map.of("gpu", new PoolsProperties.Declared(null, true))))
                .hasMessageContaining("mnemos.pools.gpu.memory-budget is required");
    }

    private static WorkerProperties properties(String device) {
        return new WorkerProperties(true, 1, device, 10, 6, 3, 2, 10, null, null);
    }
}
