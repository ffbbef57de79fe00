package dev.flashcomm.tp;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The one place that names the engine; everything else codes against DJL's API. */
public final class Engines {

    public static final String ENGINE = "PyTorch";

    private Engines() {
    }

    /** A root manager on {@code device}. The caller closes it. */
    public static NDManager newRootManager(Device device) {
        return NDManager.newBaseManager(device, ENGINE);
    }

    /**
     * Bytes free for new tensors on {@code device}, or -1 when unknown: on a GPU what the driver reports free after
     * the engine's caching allocator has handed back its unused blocks; on the CPU the kernel's MemAvailable.
     */
    public static long freeBytes(Device device) {
        if (device.isGpu()) {
            try {
                JniUtils.emptyCudaCache();
                MemoryUsage m = CudaUtils.getGpuMemory(device);
                return m.getMax() - m.getCommitted();
            } catch (RuntimeException | LinkageError e) {
                return -1; // no CUDA runtime visible to DJL's probe: callers fall back to trying
            }
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Bytes the driver reports in use on a GPU (the engine's cache included), or -1 when unknown or on the CPU. */
    public static long usedBytes(Device device) {
        if (!device.isGpu()) {
            return -1;
        }
        try {
            MemoryUsage m = CudaUtils.getGpuMemory(device);
            return m.getCommitted();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /**
     * The engine and its native library as results provenance records them, e.g. {@code PyTorch 2.7.1 (DJL 0.36.0,
     * the bundled CPU libtorch is loaded)}. Loads the engine if it is not loaded yet.
     */
    public static String describe() {
        Engine engine = Engine.getEngine(ENGINE);
        return ENGINE + " " + engine.getVersion() + " (DJL " + Engine.getDjlVersion() + ", " + libtorchInUse() + ")";
    }

    /** Where the engine's native library came from, for messages. */
    private static String libtorchInUse() {
        String dir = System.getenv("PYTORCH_LIBRARY_PATH");
        return dir == null || dir.isBlank() ? "the bundled CPU libtorch is loaded" : "libtorch from " + dir;
    }

    /** Whether an engine error is the allocator running out of memory (CUDA or the CPU allocator). */
    public static boolean isOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("out of memory") || m.contains("not enough memory")
                    || m.contains("can't allocate memory") || m.contains("OutOfMemory"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses {@code cpu}, {@code gpu}, {@code gpu:1}, {@code cuda:1}, or a comma-separated list of them. An unknown
     * or unavailable device is an {@link IllegalArgumentException} with a readable message.
     */
    public static List<Device> parseDevices(String spec) {
        List<Device> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String s = part.trim().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) {
                continue;
            }
            if (s.startsWith("cuda")) {
                s = "gpu" + s.substring(4);
            }
            Device d;
            if (s.equals("cpu")) {
                d = Device.cpu();
            } else if (s.matches("gpu(:\\d+)?")) {
                int id = s.contains(":") ? Integer.parseInt(s.substring(4)) : 0;
                int gpus = Engine.getEngine(ENGINE).getGpuCount();
                if (gpus == 0) {
                    throw new IllegalArgumentException("device '" + part.trim() + "' not available: the " + ENGINE
                            + " engine sees no GPU (" + libtorchInUse() + "); on a CUDA machine set FLASHCOMM_LIBTORCH"
                            + " to a CUDA libtorch " + Engine.getEngine(ENGINE).getVersion()
                            + " directory (README, 'GPUs')");
                }
                if (id >= gpus) {
                    throw new IllegalArgumentException("device '" + part.trim() + "' not available (this machine has "
                            + gpus + " GPU(s) visible to " + ENGINE + ")");
                }
                d = Device.gpu(id);
            } else {
                throw new IllegalArgumentException("unknown device '" + part.trim() + "' (use cpu, gpu, gpu:N)");
            }
            out.add(d);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no device given");
        }
        return List.copyOf(out);
    }
}
