package dev.flashcomm.eval.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.sweep.BatchSize;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.comm.CommImpl;
import dev.flashcomm.tp.model.MoeParallel;
import java.util.List;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/**
 * How a model runs: devices, compute dtype, where the all-reduces run, batch and window length. One definition
 * with one default each, mixed into every command that runs a model ({@code ppl}, {@code sweep}, {@code bench}).
 */
public final class RunOptions {

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEV[,DEV...]",
            description = "device(s) for the TP ranks: cpu, gpu, gpu:N; rank r goes on device r mod count "
                    + "(default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "fp32", converter = Converters.ComputeType.class, paramLabel = "fp32|fp16",
            description = "compute dtype; independent of the checkpoint's storage dtype (default: ${DEFAULT-VALUE})")
    DataType computeType;

    @Option(names = "--comm-impl", defaultValue = "engine", converter = Converters.Impl.class, paramLabel = "engine|host",
            description = "where the all-reduce numerics run: engine (ops on the partials' devices, no host copies) or "
                    + "host (the pure-Java reference; slow; bit-identical on CPU fp32) (default: ${DEFAULT-VALUE})")
    CommImpl commImpl;

    @Option(names = "--moe-parallel", defaultValue = "tp", converter = Converters.MoeParallelValue.class,
            paramLabel = "tp|ep",
            description = "mixture-of-experts models: tp splits every expert over the ranks (one all-reduce per "
                    + "block, vLLM's default); ep gives each rank whole experts, with dispatch and combine "
                    + "(--dispatch-comm, --combine-comm) as DeepEP does; dense models ignore it (default: "
                    + "${DEFAULT-VALUE})")
    MoeParallel moeParallel;

    @Option(names = "--batch", defaultValue = "4", converter = Converters.Batch.class, paramLabel = "N|auto",
            description = "sequences per forward pass; auto: the most that fit the device's free memory, found once "
                    + "each model is loaded (default: ${DEFAULT-VALUE})")
    BatchSize batch;

    @Option(names = "--seq-len", paramLabel = "N",
            description = "perplexity window in tokens (default: " + SweepConfig.DEFAULT_SEQ_LEN
                    + ", or max_position_embeddings if smaller)")
    Integer seqLen;

    public List<Device> devices() {
        try {
            return Engines.parseDevices(device);
        } catch (IllegalArgumentException e) {
            throw new InputException("--device: " + e.getMessage());
        }
    }

    public OptionalInt seqLen() {
        return seqLen == null ? OptionalInt.empty() : OptionalInt.of(seqLen);
    }

    /** The compute dtype as {@code --dtype} spells it. */
    public String dtypeName() {
        return SweepConfig.dtypeName(computeType);
    }
}
