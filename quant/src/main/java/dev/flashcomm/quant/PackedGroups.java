package dev.flashcomm.quant;

import java.util.Arrays;
import java.util.Objects;

/**
 * A contiguous range of quantized groups of a row-major matrix with {@code cols} columns, as the bytes that would
 * travel between ranks. The layout is described on {@link GroupQuantizer}.
 *
 * <p>Immutable: the bytes are copied in and out, so a slice handed to another rank shares nothing with the sender.
 */
public final class PackedGroups {

    private final GroupLayout layout;
    private final int firstGroup;
    private final int groupCount;
    private final byte[] bytes;

    /** Takes ownership of {@code bytes}; only the quantizer and {@link #slice} build instances. */
    PackedGroups(GroupLayout layout, int firstGroup, int groupCount, byte[] bytes) {
        this.layout = layout;
        this.firstGroup = firstGroup;
        this.groupCount = groupCount;
        this.bytes = bytes;
    }

    /**
     * Wraps bytes received from elsewhere (copied), checking that their length matches the group range.
     *
     * @throws IllegalArgumentException if the length is not the packed size of those groups
     */
    public static PackedGroups of(QuantSpec spec, int cols, int firstGroup, int groupCount, byte[] bytes) {
        GroupLayout layout = new GroupLayout(spec, cols);
        requireRange(firstGroup, groupCount);
        long expected = layout.bytesOf(firstGroup, groupCount);
        if (bytes.length != expected) {
            throw new IllegalArgumentException("packed groups [" + firstGroup + ", " + ((long) firstGroup + groupCount)
                    + ") of " + spec + " with " + cols + " cols need " + expected + " bytes, got " + bytes.length);
        }
        return new PackedGroups(layout, firstGroup, groupCount, bytes.clone());
    }

    /**
     * Copies the packed bytes of groups {@code [firstGroup, firstGroup + groupCount)} out of {@code source}, where
     * they start at {@code offset}: a receive from another rank's send buffer.
     */
    public static PackedGroups copyOf(QuantSpec spec, int cols, int firstGroup, int groupCount, byte[] source, int offset) {
        GroupLayout layout = new GroupLayout(spec, cols);
        requireRange(firstGroup, groupCount);
        int length = Math.toIntExact(layout.bytesOf(firstGroup, groupCount));
        Objects.checkFromIndexSize(offset, length, source.length);
        return new PackedGroups(layout, firstGroup, groupCount, Arrays.copyOfRange(source, offset, offset + length));
    }

    public QuantSpec spec() {
        return layout.spec();
    }

    public int cols() {
        return layout.cols();
    }

    public int firstGroup() {
        return firstGroup;
    }

    public int groupCount() {
        return groupCount;
    }

    /** Number of bytes these groups occupy on the wire. */
    public int byteSize() {
        return bytes.length;
    }

    /** A copy of the packed bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** The package reads the bytes in place; never hand this array out. */
    byte[] bytes() {
        return bytes;
    }

    /**
     * Copies out groups {@code [first, first + count)} (global indices, within this range): what one rank sends
     * another in the all-to-all.
     */
    public PackedGroups slice(int first, int count) {
        requireRange(first, count);
        if (first < firstGroup || (long) first + count > (long) firstGroup + groupCount) {
            throw new IllegalArgumentException("slice [" + first + ", " + ((long) first + count) + ") is outside groups ["
                    + firstGroup + ", " + ((long) firstGroup + groupCount) + ")");
        }
        int from = Math.toIntExact(layout.byteOffset(first) - layout.byteOffset(firstGroup));
        int to = Math.toIntExact(layout.byteOffset((long) first + count) - layout.byteOffset(firstGroup));
        return new PackedGroups(layout, first, count, Arrays.copyOfRange(bytes, from, to));
    }

    static void requireRange(int firstGroup, int groupCount) {
        if (firstGroup < 0 || groupCount < 0) {
            throw new IllegalArgumentException("group range must be non-negative, got first " + firstGroup + ", count " + groupCount);
        }
    }

    @Override
    public String toString() {
        return "PackedGroups[" + layout.spec() + ", cols=" + layout.cols() + ", groups=[" + firstGroup + ", "
                + ((long) firstGroup + groupCount) + "), bytes=" + bytes.length + "]";
    }
}
