package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import dev.flashcomm.quant.GroupLayout;

/**
 * {@link GroupLayout}'s groups on engine arrays: g consecutive elements of one row starting at column 0, the last
 * group of a row shorter when g does not divide cols, one group per row when g >= cols. Global group order is
 * row-major; a chunk {@code [first, end)} of global groups is a contiguous range of full groups plus a contiguous
 * range of tail groups, which is what {@link #fullBefore} and {@link #tailBefore} compute.
 */
public record EngineGroupLayout(int cols, int groupSize) {

    public EngineGroupLayout {
        if (cols < 1 || groupSize < 1) {
            throw new IllegalArgumentException("bad group layout: " + cols + " cols, group size " + groupSize);
        }
    }

    /** Length of a full group: g, or cols when g >= cols. */
    public int length() {
        return Math.min(groupSize, cols);
    }

    public int fullPerRow() {
        return cols / length();
    }

    /** Length of each row's short last group; 0 when there is none. */
    public int tailLength() {
        return cols - fullPerRow() * length();
    }

    public int groupsPerRow() {
        return fullPerRow() + (tailLength() > 0 ? 1 : 0);
    }

    public long groupCount(int rows) {
        return (long) rows * groupsPerRow();
    }

    /** Full groups among global groups {@code [0, group)}. */
    public long fullBefore(long group) {
        int perRow = groupsPerRow();
        return group / perRow * fullPerRow() + Math.min(group % perRow, fullPerRow());
    }

    /** Tail groups among global groups {@code [0, group)}: one per completed row (a row's tail is its last group). */
    public long tailBefore(long group) {
        return tailLength() == 0 ? 0 : group / groupsPerRow();
    }

    /** Splits an fp32 {@code [rows, cols]} matrix into its group matrices. */
    public GroupPieces split(NDArray x) {
        long rows = x.getShape().get(0);
        int len = length();
        int fullCols = fullPerRow() * len;
        if (tailLength() == 0) {
            return new GroupPieces(x.reshape(rows * fullPerRow(), len), null);
        }
        NDArray full = x.get(":, 0:{}", fullCols).reshape(rows * fullPerRow(), len);
        return new GroupPieces(full, x.get(":, {}:", fullCols));
    }

    /** The inverse of {@link #split}: the {@code [rows, cols]} matrix of whole pieces. */
    public NDArray join(GroupPieces pieces, int rows) {
        NDArray full = pieces.full().reshape(rows, (long) fullPerRow() * length());
        return pieces.tail() == null ? full : full.concat(pieces.tail(), 1);
    }

    /** The pieces of global groups {@code [first, end)}: row ranges of each group matrix, null where empty. */
    public GroupPieces chunk(GroupPieces all, long first, long end) {
        return new GroupPieces(rowsOf(all.full(), fullBefore(first), fullBefore(end)),
                rowsOf(all.tail(), tailBefore(first), tailBefore(end)));
    }

    /** Concatenates chunks (in chunk order) back into whole pieces. */
    public static GroupPieces concat(java.util.List<GroupPieces> chunks) {
        NDList full = new NDList();
        NDList tail = new NDList();
        for (GroupPieces c : chunks) {
            if (c.full() != null) {
                full.add(c.full());
            }
            if (c.tail() != null) {
                tail.add(c.tail());
            }
        }
        return new GroupPieces(concatRows(full), concatRows(tail));
    }

    private static NDArray concatRows(NDList parts) {
        if (parts.isEmpty()) {
            return null;
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    private static NDArray rowsOf(NDArray m, long from, long to) {
        return m == null || from == to ? null : m.get("{}:{}", from, to);
    }
}
