package dev.flashcomm.tp.comm;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which all-reduces are big enough to compress: production engines quantize only messages of at least some size
 * (vLLM's QuickReduce per dtype and TP), and send smaller ones in the unquantized 16-bit format. The message size is
 * that of the 16-bit activation tensor, {@code elements * 2} bytes, whatever the compute dtype.
 *
 * @param minBytes the threshold for every TP degree, when {@code byTp} is empty
 * @param byTp     per TP degree; a degree missing from a non-empty table never compresses (the kernel does not
 *                 support it)
 */
public record CompressThreshold(long minBytes, SortedMap<Integer, Long> byTp) {

    public static final CompressThreshold NONE = new CompressThreshold(0, new TreeMap<>());
    /** Bytes per element of the message that is measured. */
    public static final int MESSAGE_BYTES_PER_ELEMENT = 2;

    public CompressThreshold {
        if (minBytes < 0 || byTp.values().stream().anyMatch(b -> b < 0)) {
            throw new IllegalArgumentException("minimum message sizes must be >= 0 bytes");
        }
        byTp = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(byTp));
    }

    /** One threshold for every TP degree. */
    public static CompressThreshold atLeast(long bytes) {
        return new CompressThreshold(bytes, new TreeMap<>());
    }

    /** A per-TP table. */
    public static CompressThreshold perTp(Map<Integer, Long> table) {
        return new CompressThreshold(0, new TreeMap<>(table));
    }

    /** Whether an all-reduce of {@code elements} partial elements over {@code tp} ranks is compressed. */
    public boolean compresses(int tp, long elements) {
        long bytes = elements * MESSAGE_BYTES_PER_ELEMENT;
        if (byTp.isEmpty()) {
            return bytes >= minBytes;
        }
        Long min = byTp.get(tp);
        return min != null && bytes >= min;
    }

    public boolean isNone() {
        return byTp.isEmpty() && minBytes == 0;
    }

    /** {@code 0}, {@code 1048576}, or {@code tp2:1048576,tp4:2097152} (other TP degrees never compress). */
    public String label() {
        if (byTp.isEmpty()) {
            return Long.toString(minBytes);
        }
        StringBuilder sb = new StringBuilder();
        byTp.forEach((tp, b) -> sb.append(sb.length() == 0 ? "" : ",").append("tp").append(tp).append(':').append(b));
        return sb.toString();
    }
}
