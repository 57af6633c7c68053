package org.mnemos.worker;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The devices this worker trains on, each running at most {@code mnemos.worker.slots} phases at once: {@code cpu};
 * {@code gpu} (every GPU the engine sees); {@code gpu:0,2} (those GPUs); {@code auto} (every GPU,
 * or the CPU when there is none). A phase leases the least busy device for its whole run, so N GPUs
 * with one slot each run N phases at once, one per GPU.
 */
public final class WorkerDevices {

    /** What {@code mnemos.worker.device} accepts. */
    static final Pattern SYNTAX = Pattern.compile("cpu|auto|gpu(:\\d{1,3}(,\\d{1,3})*)?");

    private final List<Device> devices;
    private final int[] running;

    private WorkerDevices(List<Device> devices) {
        this.devices = List.copyOf(devices);
        this.running = new int[devices.size()];
    }

    /**
     * @param setting {@code mnemos.worker.device}, already checked against {@link #SYNTAX}
     * @param visibleGpus how many GPUs the engine sees
     * @throws IllegalStateException when the setting asks for GPUs this process does not see
     */
    public static WorkerDevices resolve(String setting, int visibleGpus) {
        return new WorkerDevices(select(setting, visibleGpus));
    }

    static List<Device> select(String setting, int visibleGpus) {
        if (setting.equals("cpu") || (setting.equals("auto") && visibleGpus == 0)) {
            return List.of(Device.cpu());
        }
        if (visibleGpus == 0) {
            throw new IllegalStateException("mnemos.worker.device is " + setting + " but the engine sees no GPU"
                    + " (a CPU-only PyTorch, or no CUDA driver); see README, 'Run on a GPU'");
        }
        if (setting.equals("gpu") || setting.equals("auto")) {
            List<Device> all = new ArrayList<>();
            for (int id = 0; id < visibleGpus; id++) {
                all.add(Device.gpu(id));
            }
            return all;
        }
        Set<Integer> ids = new LinkedHashSet<>();
        for (String id : setting.substring("gpu:".length()).split(",")) {
            int gpu = Integer.parseInt(id);
            if (gpu >= visibleGpus) {
                throw new IllegalStateException("mnemos.worker.device names gpu " + gpu + " but the engine sees "
                        + visibleGpus + " GPU(s), numbered from 0");
            }
            if (!ids.add(gpu)) {
                throw new IllegalStateException("mnemos.worker.device names gpu " + gpu + " twice");
            }
        }
        return ids.stream().map(Device::gpu).toList();
    }

    public List<Device> devices() {
        return devices;
    }

    /** The name a phase records: {@code cpu} or {@code gpu:<id>}. */
    public static String name(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    /**
     * The least busy device, held until the lease is closed. The scheduler runs
     * {@code slots × devices} phases at most, so no device ever holds more than {@code slots}.
     */
    public synchronized Lease acquire() {
        int chosen = 0;
        for (int i = 1; i < running.length; i++) {
            if (running[i] < running[chosen]) {
                chosen = i;
            }
        }
        running[chosen]++;
        return new Lease(chosen);
    }

    private synchronized void release(int index) {
        running[index]--;
    }

    /** Phases running on each device, in {@link #devices()} order. */
    synchronized int[] running() {
        return Arrays.copyOf(running, running.length);
    }

    /** One phase's hold on a device. */
    public final class Lease implements AutoCloseable {
        private final int index;
        private boolean closed;

        private Lease(int index) {
            this.index = index;
        }

        public Device device() {
            return devices.get(index);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(index);
            }
        }
    }
}
