package dev.flashcomm.tp.comm;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;

/**
 * A named bundle of communication choices that mirrors one production all-reduce kernel.
 *
 * @param name         the name on the command line and in results' COMM column
 * @param format       element format, groups and scales, both phases
 * @param accumulation dtype of the reduce step's running sum
 * @param cast         activations' dtype and the kernel's fp16 cast
 * @param threshold    which message sizes the kernel compresses
 * @param source       where the numbers come from (public code or documentation), for {@code flashcomm presets}
 * @param notes        where this model of the kernel is knowingly simpler than the kernel
 * @param dispatch     format of expert-parallel dispatch (tokens to their experts' ranks)
 * @param combine      format of expert-parallel combine (expert outputs back to the tokens' ranks)
 */
public record CommPreset(String name, CommFormat format, Accumulation accumulation, CommCast cast,
                         CompressThreshold threshold, String source, String notes, CommFormat dispatch,
                         CommFormat combine) {

    public CommPreset {
        dispatch = dispatch == null ? CommFormat.BF16 : dispatch;
        combine = combine == null ? CommFormat.BF16 : combine;
    }

    /** An all-reduce preset; expert-parallel legs stay bf16. */
    public CommPreset(String name, CommFormat format, Accumulation accumulation, CommCast cast,
                      CompressThreshold threshold, String source, String notes) {
        this(name, format, accumulation, cast, threshold, source, notes, CommFormat.BF16, CommFormat.BF16);
    }
}
