package dev.flashcomm.quant.allreduce;

/**
 * A partial sum handed to an all-reduce holds NaN or an infinity. Names the rank and the element; callers that know
 * the layer add it with {@link #within(String)}.
 */
public final class NonFiniteException extends RuntimeException {

    private final int rank;
    private final int row;
    private final int col;
    private final float value;

    public NonFiniteException(int rank, int row, int col, float value) {
        super("non-finite partial sum " + value + " from rank " + rank + " at row " + row + ", col " + col);
        this.rank = rank;
        this.row = row;
        this.col = col;
        this.value = value;
    }

    private NonFiniteException(String context, NonFiniteException cause) {
        super(context + ": " + cause.getMessage(), cause);
        this.rank = cause.rank;
        this.row = cause.row;
        this.col = cause.col;
        this.value = cause.value;
    }

    /** The same error with {@code context} (e.g. {@code "layer 3 down_proj"}) in front of the message. */
    public NonFiniteException within(String context) {
        return new NonFiniteException(context, this);
    }

    public int rank() {
        return rank;
    }

    public int row() {
        return row;
    }

    public int col() {
        return col;
    }

    public float value() {
        return value;
    }
}
