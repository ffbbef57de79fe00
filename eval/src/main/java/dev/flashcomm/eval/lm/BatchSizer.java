package dev.flashcomm.eval.lm;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.comm.Communicator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code --batch auto}: the largest number of sequences per forward pass that fits the primary device's free
 * memory, as lm-eval's {@code --batch_size auto} does. The estimate comes from the model's shapes (one layer's
 * activations, since the forward frees each layer's before the next); on a GPU it is then confirmed by a real
 * forward pass, halving until one runs, because the estimate cannot see the allocator's fragmentation. On the CPU
 * nothing is probed (an out-of-memory there may be the kernel killing the process), so the estimate keeps a wider
 * margin.
 */
public final class BatchSizer {

    /** What is set aside whatever the batch: lm_head blocks (logits, log-softmax, gather) and attention-score blocks. */
    private static final long LM_HEAD_BLOCK_BYTES = 3L * (1L << 26) * Float.BYTES;

    private BatchSizer() {
    }

    /** The result of {@link #choose}: the batch and how it was found, for the log. */
    public record Choice(int batch, String how) {
    }

    /**
     * Chooses a batch for sequences of {@code sample.length} tokens, at most {@code maxUseful} (more than the
     * workload has is pointless).
     *
     * @param sample a real sequence to probe with (its content does not matter, its length does)
     */
    public static Choice choose(ScoringModel model, int[] sample, int maxUseful, Communicator comm,
                                Consumer<String> log) {
        Device device = model.model().primaryDevice();
        long free = Engines.freeBytes(device);
        int cap = Math.max(1, maxUseful);
        int start = free > 0 ? Math.min(cap, Math.max(1, estimate(model, sample.length, device.isGpu() ? free
                : free / 2))) : Math.min(cap, 8);
        String from = free > 0 ? String.format(java.util.Locale.ROOT, "estimated from %.1f GiB free on %s",
                free / (1024.0 * 1024 * 1024), device) : "no free-memory reading on " + device;
        if (!device.isGpu()) {
            return new Choice(start, from);
        }
        for (int b = start; b >= 1; b = b / 2) {
            try {
                model.score(repeat(sample, b), comm, false);
                return new Choice(b, from + (b == start ? ", confirmed by a forward pass"
                        : ", " + start + " ran out of memory, " + b + " ran"));
            } catch (RuntimeException e) {
                if (!Engines.isOutOfMemory(e) && !(e instanceof dev.flashcomm.eval.InputException)) {
                    throw e;
                }
                log.accept("batch auto: " + b + " sequence(s) of " + sample.length + " tokens do not fit, halving");
                Engines.freeBytes(device); // hands the allocator's cached blocks back before the next try
            }
        }
        throw new dev.flashcomm.eval.InputException("out of memory on " + device + ": not even one sequence of "
                + sample.length + " tokens fits; use a shorter --seq-len, more devices, or --dtype fp16");
    }

    /** Sequences of {@code length} tokens that fit in {@code freeBytes} by the shape estimate (may be 0). */
    public static int estimate(ScoringModel model, int length, long freeBytes) {
        long per = bytesPerSequence(model.model().config(), model.model().ranks(), length,
                model.model().computeType());
        long fixed = LM_HEAD_BLOCK_BYTES + 3L * (1L << 28) * width(model.model().computeType());
        long usable = (long) (freeBytes * 0.9) - fixed;
        return usable <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, usable / per);
    }

    /**
     * Peak bytes one sequence adds during a forward pass: the residual stream and its norms, the N partials and
     * the communicator's fp32 working copies, plus the larger of one rank's attention and MLP temporaries (ranks
     * run one after another and each rank's temporaries are freed before the next starts). Attention scores are
     * counted in the fixed part: they are computed in blocks bounded independently of the batch.
     */
    static long bytesPerSequence(ModelConfig c, int ranks, int length, DataType computeType) {
        long s = width(computeType);
        long l = length;
        long h = c.hiddenSize();
        long heads = ceilDiv(c.numHeads(), ranks);
        long kv = Math.min(c.numKvHeads(), heads);
        long d = c.headDim();
        long inter = ceilDiv(c.intermediateSize(), ranks);
        long attention = l * (heads + 2 * kv) * d * s + 10 * l * heads * d * s;
        long mlp = 5 * l * inter * s;
        long stream = (6 + ranks) * l * h * s + (8 + ranks) * l * h * Float.BYTES
                + (computeType == DataType.FLOAT32 ? 0 : 3 * l * h * Float.BYTES);
        return Math.max(attention, mlp) + stream;
    }

    private static long width(DataType t) {
        return t == DataType.FLOAT32 ? 4 : 2;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static List<int[]> repeat(int[] sample, int n) {
        List<int[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(sample);
        }
        return out;
    }
}
