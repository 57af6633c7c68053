package org.mnemos.engine.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory, for the memory tests and the benches' reports. */
public final class ResidentMemory {

    private ResidentMemory() {}

    /** {@code VmRSS} of {@code /proc/self/status} in kilobytes, or -1 where there is none (not Linux). */
    public static long kilobytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to report
        }
        return -1;
    }
}
