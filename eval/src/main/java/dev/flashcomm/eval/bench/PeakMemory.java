package dev.flashcomm.eval.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident memory of this process (native + Java), from Linux's /proc; -1 where unavailable. */
public final class PeakMemory {

    private PeakMemory() {
    }

    public static long peakResidentBytes() {
        Path status = Path.of("/proc/self/status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
