package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.comm.CompressionScope;
import picocli.CommandLine.Option;

/** How the all-reduces are done, apart from the format itself (which single and sweep commands take differently). */
public final class CommOptions {

    @Option(names = "--comm-path", defaultValue = "fake", converter = Converters.Path.class,
            paramLabel = "fake|packed|ring",
            description = "fake: quantize-dequantize in floating point; packed: real low-bit byte buffers through an "
                    + "all-to-all and all-gather (bit-identical to fake); ring: the quantize-at-every-hop ablation "
                    + "(default: ${DEFAULT-VALUE})")
    CommPath path;

    @Option(names = "--compress-sites", defaultValue = "all", paramLabel = "attn,mlp|all",
            description = "which all-reduces use the format; the others stay fp16 (default: ${DEFAULT-VALUE})")
    String sites;

    @Option(names = "--compress-layers", defaultValue = "all", paramLabel = "RANGES|all",
            description = "layers whose all-reduces use the format, e.g. 0-3,6; the others stay fp16 "
                    + "(default: ${DEFAULT-VALUE})")
    String layers;

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
}
