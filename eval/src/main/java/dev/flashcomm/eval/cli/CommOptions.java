package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.sweep.ExpertOptions;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.comm.CommCast;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.CompressThreshold;
import dev.flashcomm.tp.comm.CompressionScope;
import picocli.CommandLine.Option;

/**
 * How the all-reduces are done, apart from the format or preset itself (which single and sweep commands take
 * differently). The accumulation, cast and size threshold options have no default here: when they are not given, a
 * preset's own choice (or the doc's default for a plain format) applies, which {@link #settings} resolves.
 */
public final class CommOptions {

    @Option(names = "--comm-path", defaultValue = "fake", converter = Converters.Path.class,
            paramLabel = "fake|packed|ring",
            description = "fake: quantize-dequantize in floating point; packed: real low-bit byte buffers through an "
                    + "all-to-all and all-gather (bit-identical to fake); ring: the quantize-at-every-hop ablation "
                    + "(default: ${DEFAULT-VALUE})")
    CommPath path;

    @Option(names = "--compress-sites", defaultValue = "all", paramLabel = "attn,mlp,dispatch,combine|all",
            description = "which communication uses the formats: the attn and mlp all-reduces (the others use the "
                    + "16-bit fallback) and, with --moe-parallel ep, the dispatch and combine legs (the others stay "
                    + "bf16) (default: ${DEFAULT-VALUE})")
    String sites;

    @Option(names = "--compress-layers", defaultValue = "all", paramLabel = "RANGES|all",
            description = "layers whose all-reduces use the format, e.g. 0-3,6; the others use the 16-bit fallback "
                    + "(default: ${DEFAULT-VALUE})")
    String layers;

    @Option(names = "--accumulate", converter = Converters.Accumulate.class, paramLabel = "fp32|fp16|bf16",
            description = "dtype of the reduce step's running sum, rounded after each addition in rank order "
                    + "(default: the preset's, else fp32)")
    Accumulation accumulation;

    @Option(names = "--comm-cast", converter = Converters.Cast.class, paramLabel = "CAST",
            description = "activations before communication: none, bf16, fp16[:saturate|:inf], or "
                    + "bf16>fp16[:saturate|:inf] (the compressed kernel casts bf16 to fp16; inf: values above 65504 "
                    + "become Inf, as a plain cast does). Overflows are counted (default: the preset's, else none)")
    CommCast cast;

    @Option(names = "--compress-min-bytes", paramLabel = "N",
            description = "compress an all-reduce only when its 16-bit message (elements x 2) has at least N bytes; "
                    + "smaller ones go in the 16-bit fallback (default: the preset's per-TP sizes, else 0)")
    Long minBytes;

    @Option(names = "--dispatch-comm", converter = Converters.Format.class, paramLabel = "FORMAT",
            description = "with --moe-parallel ep: the format tokens travel to their experts' ranks in, quantized "
                    + "once per token (e.g. fp8-e4m3-g128-sfp32, DeepEP's low-latency dispatch) (default: the "
                    + "preset's, else bf16)")
    CommFormat dispatch;

    @Option(names = "--combine-comm", converter = Converters.Format.class, paramLabel = "FORMAT",
            description = "with --moe-parallel ep: the format expert outputs travel back in (default: the preset's, "
                    + "else bf16)")
    CommFormat combine;

    /** {@code --moe-parallel} (from the run's options) with the explicit expert-parallel formats. */
    public ExpertOptions experts(RunOptions run) {
        return new ExpertOptions(run.moeParallel, dispatch, combine);
    }

    public CompressionScope scope() {
        try {
            return CompressionScope.parse(sites, layers);
        } catch (IllegalArgumentException e) {
            throw new InputException("--compress-sites/--compress-layers: " + e.getMessage());
        }
    }

    public CommPath path() {
        return path;
    }

    /** The explicit --accumulate, or null. */
    public Accumulation accumulation() {
        return accumulation;
    }

    /** The explicit --comm-cast, or null. */
    public CommCast cast() {
        return cast;
    }

    /** The explicit --compress-min-bytes as a threshold, or null. */
    public CompressThreshold threshold() {
        if (minBytes == null) {
            return null;
        }
        if (minBytes < 0) {
            throw new InputException("--compress-min-bytes must be >= 0, got " + minBytes);
        }
        return CompressThreshold.atLeast(minBytes);
    }

    /** The settings of {@code choice} on {@code path} with these options. */
    public CommSettings settings(CommChoice choice, CommPath onPath) {
        try {
            return CommSettings.resolve(choice, onPath, scope(), accumulation, cast, threshold());
        } catch (IllegalArgumentException e) {
            throw new InputException("--comm " + choice.name() + ": " + e.getMessage());
        }
    }
}
