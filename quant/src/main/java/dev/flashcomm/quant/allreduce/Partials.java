package dev.flashcomm.quant.allreduce;

/** Checks the arguments every all-reduce takes. */
final class Partials {

    private Partials() {
    }

    /**
     * Checks that there is at least one partial, each exactly [rows, cols], and that all are finite.
     *
     * @throws IllegalArgumentException for a shape that does not match (a caller bug)
     * @throws NonFiniteException       for the first NaN or infinity, in rank then element order
     */
    static void requireValid(float[][] partials, int rows, int cols) {
        if (partials == null || partials.length == 0) {
            throw new IllegalArgumentException("an all-reduce needs at least one rank's partial");
        }
        if (rows < 0 || cols < 1) {
            throw new IllegalArgumentException("bad partial shape [" + rows + ", " + cols + "]");
        }
        long elements = (long) rows * cols;
        for (int r = 0; r < partials.length; r++) {
            if (partials[r] == null || partials[r].length != elements) {
                throw new IllegalArgumentException("rank " + r + "'s partial has "
                        + (partials[r] == null ? "no array" : partials[r].length + " floats") + ", expected [" + rows + ", " + cols + "]");
            }
        }
        for (int r = 0; r < partials.length; r++) {
            float[] p = partials[r];
            for (int i = 0; i < p.length; i++) {
                if (!Float.isFinite(p[i])) {
                    throw new NonFiniteException(r, i / cols, i % cols, p[i]);
                }
            }
        }
    }

    static void requireRanks(int ranks, int rows, int cols) {
        if (ranks < 1 || rows < 0 || cols < 1) {
            throw new IllegalArgumentException("bad all-reduce shape: " + ranks + " ranks of [" + rows + ", " + cols + "]");
        }
    }

    /** Start of chunk j when n units are split over N ranks: {@code floor(j*n/N)} (the doc's sharding rule). */
    static int chunkStart(int j, int n, int ranks) {
        return (int) ((long) j * n / ranks);
    }
}
