package dev.flashcomm.tp.comm;

import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;

/**
 * What the all-reduces of a run do.
 *
 * @param format the format of the compressed all-reduces
 * @param path   fake-quant, real packed bytes, or the quantize-every-hop ring ablation
 * @param scope  which all-reduces use {@code format}; the rest use fp16
 */
public record CommSettings(CommFormat format, CommPath path, CompressionScope scope) {

    public static final CommFormat FP16 = CommFormat.parse("fp16");

    public CommSettings {
        if (format == null || path == null || scope == null) {
            throw new IllegalArgumentException("format, path and scope are required");
        }
        if (!path.supports(format)) {
            // a SettingsException, so the command line reports it as bad input (exit 2), not as a bug
            throw new SettingsException("--comm-path ring (the quantize-at-every-hop ablation) needs a flash format "
                    + "(intB-...), got " + format.name()
                    + " (fp16/bf16/exact are the same on every path: use --comm-path fake)");
        }
    }

    public static CommSettings of(String format) {
        return new CommSettings(CommFormat.parse(format), CommPath.FAKE, CompressionScope.ALL);
    }

    /** A label for tables: the format, plus the scope when it is not everything. */
    public String label() {
        return scope.isAll() ? format.name() : format.name() + "[" + scope.describe() + "]";
    }
}
