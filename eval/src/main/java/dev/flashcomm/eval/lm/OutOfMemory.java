package dev.flashcomm.eval.lm;

import ai.djl.Device;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.tp.Engines;
import java.util.Locale;

/**
 * Turns the engine's out-of-memory error into bad input the user can act on: one line with the device, the batch
 * that did not fit and an estimate of the one that would. Any other engine error passes through unchanged.
 */
final class OutOfMemory {

    private OutOfMemory() {
    }

    static RuntimeException translate(RuntimeException e, ScoringModel model, int batch, int length) {
        if (!Engines.isOutOfMemory(e)) {
            return e;
        }
        Device device = model.model().primaryDevice();
        long free = Engines.freeBytes(device);
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
        return new InputException("out of memory on " + device + " scoring a batch of " + batch + " sequence(s) of "
                + length + " tokens; " + advice);
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
}
