package dev.flashcomm.tp.comm.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * The groups of a {@code [rows, cols]} matrix as group matrices, one group per row: {@code full} holds every
 * full-length group ({@code [rows * fullPerRow, length]}, row-major group order) and {@code tail} the shorter last
 * group of each row ({@code [rows, tailLength]}), or null when the group size divides cols. Either may be null
 * in a chunk that holds none of that kind. Keeping the two apart lets per-group reductions be plain axis-1
 * reductions and gives tail groups their own, smaller, packed buffers.
 */
public record GroupPieces(NDArray full, NDArray tail) {

    /** The same function applied to each present piece. */
    public GroupPieces map(UnaryOperator<NDArray> f) {
        return new GroupPieces(full == null ? null : f.apply(full), tail == null ? null : f.apply(tail));
    }

    /** Elementwise {@code this + other} per piece (both must cover the same groups). */
    public GroupPieces add(GroupPieces other) {
        return new GroupPieces(full == null ? null : full.add(other.full), tail == null ? null : tail.add(other.tail));
    }

    /** The pieces on {@code device} (device-to-device copies where needed). */
    public GroupPieces moveTo(Workspace ws, Device device) {
        return map(a -> ws.moveTo(a, device));
    }

    /** Rank r's rows of pieces that stack n ranks' pieces of equal size. */
    public GroupPieces rankRows(int r, int n) {
        return map(m -> {
            long per = m.getShape().get(0) / n;
            return m.get("{}:{}", r * per, (r + 1) * per);
        });
    }

    /** True when this holds no group at all (an empty chunk). */
    public boolean isEmpty() {
        return full == null && tail == null;
    }
}
