package dev.flashcomm.eval.lm;

import ai.djl.Device;
import dev.flashcomm.tp.Engines;
import java.util.Locale;

/**
 * The device ran out of memory for a batch: bad input the user can act on (the CLI prints the message as one line
 * and exits 2), with the device, the batch that did not fit and an estimate of the one that would. A distinct type
 * so that {@code --batch auto} retries on this and nothing else.
 */
public final class DeviceMemoryException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final double GIB = 1024.0 * 1024 * 1024;

    DeviceMemoryException(String message) {
        super(message);
    }

    /** {@code e} as a DeviceMemoryException when it is the allocator running out of memory, else {@code e} itself. */
    static RuntimeException translate(RuntimeException e, ScoringModel model, int batch, int length) {
        return translate(e, model, batch, length, "scoring a batch of " + batch + " sequence(s) of " + length
                + " tokens");
    }

    /**
     * As {@link #translate(RuntimeException, ScoringModel, int, int)} for a greedy generation: the batch's KV cache
     * of {@code slots} slots per row is what the message names.
     */
    static RuntimeException translateGeneration(RuntimeException e, ScoringModel model, int batch, int slots) {
        long cache = (long) batch * slots * model.model().kvCacheBytesPerSlot();
        return translate(e, model, batch, slots, String.format(Locale.ROOT, "generating for a batch of %d prompt(s) "
                + "with a KV cache of %d slots per row (%.2f GiB)", batch, slots, cache / GIB));
    }

    private static RuntimeException translate(RuntimeException e, ScoringModel model, int batch, int length,
                                              String activity) {
        if (!Engines.isOutOfMemory(e)) {
            return e;
        }
        Device device = model.model().primaryDevice();
        long free = Engines.freeBytes(device); // also hands the allocator's cached blocks back
        String advice;
        if (free > 0) {
            int fits = BatchSizer.estimate(model, length, free);
            advice = fits >= 1
                    ? String.format(Locale.ROOT, "about --batch %d fits in the %.1f GiB free", fits, free / GIB)
                    : String.format(Locale.ROOT, "not even one sequence fits in the %.1f GiB free: use a shorter "
                            + "--seq-len, more devices, or --dtype fp16", free / GIB);
        } else {
            advice = "use a smaller --batch, or --batch auto";
        }
        return new DeviceMemoryException("out of memory on " + device + " " + activity + "; " + advice);
    }
}
