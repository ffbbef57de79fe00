package dev.flashcomm.results.report;

import dev.flashcomm.results.ResultRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Bits per element a communication format put on the wire, read off the results themselves: 16 × the cell's
 * BYTES_PER_FORWARD over that of the fp16 cell of the same model, TP and task. That is the effective width, group
 * scales and minimums included ({@code int4-asym-g128} is 4.25, {@code int6} 6.25 as the mean of its 4-bit
 * reduce-scatter and 8-bit all-gather), and it holds for selective compression too, without parsing format names.
 */
final class WireBits {

    static final String FP16 = "fp16";

    private final Map<List<Object>, Long> fp16Bytes = new HashMap<>();

    WireBits(List<ResultRow> rows) {
        for (ResultRow r : rows) {
            if (r.comm().equals(FP16)) {
                fp16Bytes.putIfAbsent(key(r), r.bytesPerForward());
            }
        }
    }

    /** Empty at TP 1 (nothing is sent) and where the same model, TP and task has no fp16 cell. */
    OptionalDouble of(ResultRow row) {
        Long fp16 = fp16Bytes.get(key(row));
        if (fp16 == null || fp16 == 0 || row.tp() < 2) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(16.0 * row.bytesPerForward() / fp16);
    }

    private static List<Object> key(ResultRow r) {
        return List.of(r.model(), r.tp(), r.task());
    }
}
