package dev.flashcomm.eval.lm;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.model.TransformerModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        String from = free > 0 ? String.format(Locale.ROOT, "estimated from %.1f GiB free on %s",
                free / (1024.0 * 1024 * 1024), device) : "no free-memory reading on " + device;
        if (!device.isGpu()) {
            return new Choice(start, from);
        }
        for (int b = start; b >= 1; b = b / 2) {
            try {
                model.score(repeat(sample, b), comm, false);
                return new Choice(b, from + (b == start ? ", confirmed by a forward pass"
                        : ", " + start + " ran out of memory, " + b + " ran"));
            } catch (DeviceMemoryException e) {
                log.accept("batch auto: " + b + " sequence(s) of " + sample.length + " tokens do not fit, halving");
            }
        }
        throw new DeviceMemoryException("out of memory on " + device + ": not even one sequence of "
                + sample.length + " tokens fits; use a shorter --seq-len, more devices, or --dtype fp16");
    }

    /**
     * Sequences of {@code length} tokens that fit in {@code freeBytes} by the shape estimate (may be 0). With the
     * explicit attention core, scores grow with the batch until they reach the forward's block budget of 2^28
     * elements per rank, then stay; the fused core holds no scores. The lm_head block is at most 2^26 logits.
     */
    public static int estimate(ScoringModel model, int length, long freeBytes) {
        ModelConfig c = model.model().config();
        DataType type = model.model().computeType();
        long per = bytesPerSequence(c, model.model().ranks(), length, type);
        long scoresPer = model.model().fusedAttention() ? 0
                : ceilDiv(c.numHeads(), model.model().ranks()) * length * (long) length;
        long scoreBytes = 3 * width(type); // scores, plus mask and softmax outputs
        long lmHead = 3L * Float.BYTES * Math.min((long) length * c.vocabSize(), 1L << 26);
        long usable = (long) (freeBytes * 0.9) - lmHead;
        if (usable <= 0) {
            return 0;
        }
        long uncapped = usable / (per + scoreBytes * scoresPer);
        long budget = TransformerModel.ATTENTION_SCORE_BUDGET;
        long batch = scoresPer == 0 || uncapped * scoresPer <= budget ? uncapped
                : Math.max(budget / scoresPer, (usable - scoreBytes * budget) / per);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, batch));
    }

    /**
     * Peak bytes one sequence adds during a forward pass: the residual stream and its norms, the N partials and
     * the communicator's fp32 working copies, plus the larger of one rank's attention and MLP temporaries (ranks
     * run one after another and each rank's temporaries are freed before the next starts). Attention scores are
     * counted by {@link #estimate}: they are computed in blocks whose size the batch bounds only up to a budget.
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
