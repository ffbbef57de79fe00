package dev.flashcomm.tp;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
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
