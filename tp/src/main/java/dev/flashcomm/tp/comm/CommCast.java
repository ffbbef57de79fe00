package dev.flashcomm.tp.comm;

import java.util.Locale;

/**
 * What happens to the partials before they are communicated: the dtype the activations are in, and whether the
 * compressed all-reduce's kernel first converts bf16 to fp16 (as QuickReduce does on ROCm with
 * {@code VLLM_ROCM_QUICK_REDUCE_CAST_BF16_TO_FP16}) and what that conversion does above 65504.
 *
 * <p>Spellings: {@code none} (fp32 partials, today's default), {@code bf16}, {@code fp16[:saturate|:inf]},
 * {@code bf16>fp16[:saturate|:inf]} (default saturate).
 * <ul>
 *   <li>{@code dtype} applies to every all-reduce, compressed or not: bf16 rounds to nearest-even bf16, fp16
 *       converts to fp16;</li>
 *   <li>{@code toFp16} (only after bf16) applies to the compressed all-reduces only: the kernel's own cast;</li>
 *   <li>every conversion to fp16 either saturates at ±65504 (the doc's R16) or is a plain IEEE cast that turns
 *       magnitudes from 65520 up into ±Inf silently. Elements above 65504 in magnitude are counted as overflows
 *       either way.</li>
 * </ul>
 *
 * @param dtype    the activations' dtype before communication
 * @param toFp16   the compressed all-reduce converts bf16 activations to fp16 first
 * @param overflow what a conversion to fp16 does out of range
 */
public record CommCast(Dtype dtype, boolean toFp16, Overflow overflow) {

    /** The activations' dtype. */
    public enum Dtype { FP32, BF16, FP16 }

    /** A conversion to fp16 out of range. */
    public enum Overflow { SATURATE, INF }

    public static final CommCast NONE = new CommCast(Dtype.FP32, false, Overflow.SATURATE);

    static final String ACCEPTED = "accepted: none, bf16, fp16[:saturate|:inf], bf16>fp16[:saturate|:inf]";

    public CommCast {
        if (dtype == null || overflow == null) {
            throw new IllegalArgumentException("dtype and overflow are required");
        }
        if (toFp16 && dtype != Dtype.BF16) {
            throw new IllegalArgumentException("only bf16 activations are cast to fp16 by the kernel");
        }
    }

    /** Whether anything converts to fp16 (so overflows are possible and counted). */
    public boolean convertsToFp16() {
        return dtype == Dtype.FP16 || toFp16;
    }

    /**
     * Parses the spellings above (case-insensitive).
     *
     * @throws IllegalArgumentException naming the input and the accepted forms
     */
    public static CommCast parse(String spec) {
        String s = spec == null ? "" : spec.strip().toLowerCase(Locale.ROOT);
        Overflow overflow = Overflow.SATURATE;
        int colon = s.indexOf(':');
        String head = s;
        if (colon >= 0) {
            String tail = s.substring(colon + 1);
            head = s.substring(0, colon);
            overflow = switch (tail) {
                case "saturate" -> Overflow.SATURATE;
                case "inf" -> Overflow.INF;
                default -> throw new IllegalArgumentException("unknown cast '" + spec + "': overflow '" + tail
                        + "' is not saturate or inf; " + ACCEPTED);
            };
        }
        CommCast cast = switch (head) {
            case "none", "fp32" -> colon < 0 ? NONE : null;
            case "bf16" -> colon < 0 ? new CommCast(Dtype.BF16, false, Overflow.SATURATE) : null;
            case "fp16" -> new CommCast(Dtype.FP16, false, overflow);
            case "bf16>fp16" -> new CommCast(Dtype.BF16, true, overflow);
            default -> null;
        };
        if (cast == null) {
            throw new IllegalArgumentException("unknown cast '" + spec + "'; " + ACCEPTED);
        }
        return cast;
    }

    /** The canonical spelling. */
    public String label() {
        String o = overflow == Overflow.INF ? ":inf" : ":saturate";
        return switch (dtype) {
            case FP32 -> "none";
            case BF16 -> toFp16 ? "bf16>fp16" + o : "bf16";
            case FP16 -> "fp16" + o;
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
