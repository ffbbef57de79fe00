package dev.flashcomm.tp.comm;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import java.util.ArrayList;
import java.util.List;

/**
 * What the all-reduces of a run do. {@link #resolve} turns a {@code --comm} choice and the command's explicit options
 * into one of these, and {@link #label()} and {@link #describe()} are the only places that turn one into text for
 * results (the COMM and SETTINGS columns), so every command labels a setting alike.
 *
 * @param format       the format of the compressed all-reduces
 * @param path         fake-quant, real packed bytes, or the quantize-every-hop ring ablation
 * @param scope        which all-reduces use {@code format}; the rest use the fallback 16-bit format
 * @param accumulation dtype of the reduce step's running sum
 * @param cast         activations' dtype before communication and the kernel's fp16 cast
 * @param threshold    the smallest messages compressed; smaller ones use the fallback format
 * @param preset       the preset these settings came from, or null
 * @param dispatch     format of expert-parallel dispatch (tokens sent to their experts' ranks)
 * @param combine      format of expert-parallel combine (expert outputs sent back)
 */
public record CommSettings(CommFormat format, CommPath path, CompressionScope scope, Accumulation accumulation,
                           CommCast cast, CompressThreshold threshold, CommPreset preset, CommFormat dispatch,
                           CommFormat combine) {

    public static final CommFormat FP16 = CommFormat.parse("fp16");

    public CommSettings {
        if (format == null || path == null || scope == null || accumulation == null || cast == null || threshold == null) {
            throw new IllegalArgumentException("format, path, scope, accumulation, cast and threshold are required");
        }
        if (!path.supports(format)) {
            // a SettingsException, so the command line reports it as bad input (exit 2), not as a bug
            throw new SettingsException("--comm-path ring (the quantize-at-every-hop ablation) needs a flash format "
                    + "(intB-..., fp8-..., fp4-...), got " + format.name()
                    + " (fp16/bf16/exact are the same on every path: use --comm-path fake)");
        }
        dispatch = dispatch == null ? CommFormat.BF16 : requirePointToPoint("--dispatch-comm", dispatch);
        combine = combine == null ? CommFormat.BF16 : requirePointToPoint("--combine-comm", combine);
    }

    /** Settings without expert-parallel formats of their own (dispatch and combine in bf16). */
    public CommSettings(CommFormat format, CommPath path, CompressionScope scope, Accumulation accumulation,
                        CommCast cast, CompressThreshold threshold, CommPreset preset) {
        this(format, path, scope, accumulation, cast, threshold, preset,
                preset != null ? preset.dispatch() : null, preset != null ? preset.combine() : null);
    }

    /**
     * A dispatch or combine leg is one hop, quantized once: a two-step format whose reduce-scatter and all-gather
     * halves differ (int6: 4 then 8 bits) has no single meaning there.
     */
    private static CommFormat requirePointToPoint(String option, CommFormat f) {
        if (f.kind() == CommFormat.Kind.FLASH && !f.reduceScatter().equals(f.allGather())) {
            throw new SettingsException(option + " " + f.name() + ": a dispatch or combine leg is quantized once, "
                    + "but this format quantizes its two all-reduce steps to different widths; use one whose steps "
                    + "have the same width (int8, int4, fp8-..., bf16, fp16)");
        }
        return f;
    }

    /** The doc's defaults for everything but format, path and scope. */
    public CommSettings(CommFormat format, CommPath path, CompressionScope scope) {
        this(format, path, scope, Accumulation.FP32, CommCast.NONE, CompressThreshold.NONE, null);
    }

    public static CommSettings of(String format) {
        return new CommSettings(CommFormat.parse(format), CommPath.FAKE, CompressionScope.ALL);
    }

    /**
     * The settings of a {@code --comm} choice: a preset's bundle or the defaults, each overridden by an option the
     * user gave explicitly (null: not given).
     */
    public static CommSettings resolve(CommChoice choice, CommPath path, CompressionScope scope, Accumulation accumulation,
            CommCast cast, CompressThreshold threshold) {
        return resolve(choice, path, scope, accumulation, cast, threshold, null, null);
    }

    /** As above, with the expert-parallel formats ({@code --dispatch-comm}, {@code --combine-comm}; null: not given). */
    public static CommSettings resolve(CommChoice choice, CommPath path, CompressionScope scope, Accumulation accumulation,
            CommCast cast, CompressThreshold threshold, CommFormat dispatch, CommFormat combine) {
        CommPreset p = choice.preset();
        Accumulation a = accumulation != null ? accumulation : p != null ? p.accumulation() : Accumulation.FP32;
        CommCast c = cast != null ? cast : p != null ? p.cast() : CommCast.NONE;
        CompressThreshold t = threshold != null ? threshold : p != null ? p.threshold() : CompressThreshold.NONE;
        CommFormat d = dispatch != null ? dispatch : p != null ? p.dispatch() : CommFormat.BF16;
        CommFormat k = combine != null ? combine : p != null ? p.combine() : CommFormat.BF16;
        return new CommSettings(choice.format(), path, scope, a, c, t, p, d, k);
    }

    /** The same settings with another format, path and scope, and no preset (e.g. a baseline next to them). */
    public CommSettings withFormat(CommFormat f, CommPath p, CompressionScope s) {
        return new CommSettings(f, p, s, accumulation, cast, threshold, null, dispatch, combine);
    }

    /**
     * The 16-bit format of the all-reduces that are not compressed (out of scope or under the size threshold): the
     * activations' own dtype, bf16 for bf16 activations and fp16 otherwise.
     */
    public CommFormat fallbackFormat() {
        return cast.dtype() == CommCast.Dtype.BF16 ? CommFormat.BF16 : FP16;
    }

    /**
     * The COMM label: the preset's name or the format's, then in braces every choice that differs from what that name
     * implies ({@code int4-sym-g32{acc=fp16,cast=bf16>fp16:inf}}, {@code quickreduce-int4{min_bytes=0}}), then the
     * scope when it is not everything ({@code [mlp@0-3]}).
     */
    public String label() {
        List<String> changed = new ArrayList<>();
        Accumulation a0 = preset != null ? preset.accumulation() : Accumulation.FP32;
        CommCast c0 = preset != null ? preset.cast() : CommCast.NONE;
        CompressThreshold t0 = preset != null ? preset.threshold() : CompressThreshold.NONE;
        if (accumulation != a0) {
            changed.add("acc=" + accumulation.id());
        }
        if (!cast.equals(c0)) {
            changed.add("cast=" + cast.label());
        }
        if (!threshold.equals(t0)) {
            changed.add("min_bytes=" + threshold.label());
        }
        if (!dispatch.equals(preset != null ? preset.dispatch() : CommFormat.BF16)) {
            changed.add("dispatch=" + dispatch.name());
        }
        if (!combine.equals(preset != null ? preset.combine() : CommFormat.BF16)) {
            changed.add("combine=" + combine.name());
        }
        String name = preset != null ? preset.name() : format.name();
        String base = changed.isEmpty() ? name : name + "{" + String.join(",", changed) + "}";
        return scope.isAll() ? base : base + "[" + scope.describe() + "]";
    }

    /**
     * Every resolved parameter, for the SETTINGS column: {@code
     * format=int4-sym-g32;acc=fp16;cast=bf16>fp16:inf;min_bytes=tp2:1048576,...;fallback=bf16;scope=attn+mlp@all}
     * (with {@code preset=...} first when there is one).
     */
    public String describe() {
        return (preset != null ? "preset=" + preset.name() + ";" : "") + "format=" + format.name() + ";acc="
                + accumulation.id() + ";cast=" + cast.label() + ";min_bytes=" + threshold.label() + ";fallback="
                + fallbackFormat().name() + ";scope=" + scope.describe() + expertLegs();
    }

    /** The expert-parallel formats for {@link #describe()}, only when not the bf16 default (dense runs' text stays). */
    private String expertLegs() {
        return dispatch.equals(CommFormat.BF16) && combine.equals(CommFormat.BF16) ? ""
                : ";dispatch=" + dispatch.name() + ";combine=" + combine.name();
    }

    /** The format of an expert-parallel leg at {@code site}: its own when the scope covers it, else bf16. */
    public CommFormat legFormat(int layer, Site site) {
        if (!scope.covers(layer, site)) {
            return CommFormat.BF16;
        }
        return site == Site.DISPATCH ? dispatch : combine;
    }
}
