package dev.flashcomm.quant;

/**
 * Where the groups of a row-major matrix with {@code cols} columns lie, as elements and as packed bytes.
 *
 * <p>Groups are numbered row-major over the whole matrix: group {@code row * groupsPerRow() + k} covers columns
 * {@code [k*g, min((k+1)*g, cols))} of {@code row}. Because groups tile the matrix in order, any contiguous range of
 * groups is a contiguous range of elements and, packed, a contiguous range of bytes.
 *
 * @param spec the quantization format (its group size and code width)
 * @param cols row length, at least 1
 */
public record GroupLayout(QuantSpec spec, int cols) {

    public GroupLayout {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        if (cols < 1) {
            throw new IllegalArgumentException("cols must be >= 1, got " + cols);
        }
    }

    /** {@code ceil(cols / g)}; 1 when the group size is at least the row length. */
    public int groupsPerRow() {
        return (cols - 1) / spec.groupSize() + 1;
    }

    /** Groups in a [rows, cols] matrix. */
    public long groupCount(int rows) {
        return (long) rows * groupsPerRow();
    }

    /** Length of group {@code k} of a row: g, except a shorter last group when g does not divide cols. */
    public int groupLength(int k) {
        int start = k * Math.min(spec.groupSize(), cols);
        return Math.min(spec.groupSize(), cols - start);
    }

    /** Packed bytes of one group of {@code length} elements: fp16 header plus codes rounded up to whole bytes. */
    public int groupBytes(int length) {
        return spec.headerBytes() + BitPacker.packedBytes(length, spec.bits());
    }

    /** Packed bytes of one whole row. */
    public long rowBytes() {
        int full = Math.min(spec.groupSize(), cols);
        int last = groupLength(groupsPerRow() - 1);
        return (long) (groupsPerRow() - 1) * groupBytes(full) + groupBytes(last);
    }

    /** Index of the first element of global group {@code group} (equal to rows*cols for the end of the matrix). */
    public long elementOffset(long group) {
        long row = group / groupsPerRow();
        int k = (int) (group % groupsPerRow());
        return row * cols + (long) k * Math.min(spec.groupSize(), cols);
    }

    /** Offset of global group {@code group} in a packed buffer that starts at group 0. */
    public long byteOffset(long group) {
        long row = group / groupsPerRow();
        int k = (int) (group % groupsPerRow());
        // every group before k in its row is full length: only a row's last group can be short
        return row * rowBytes() + (long) k * groupBytes(Math.min(spec.groupSize(), cols));
    }

    /** Packed bytes of groups {@code [firstGroup, firstGroup + groupCount)}. */
    public long bytesOf(long firstGroup, long groupCount) {
        return byteOffset(firstGroup + groupCount) - byteOffset(firstGroup);
    }
}
