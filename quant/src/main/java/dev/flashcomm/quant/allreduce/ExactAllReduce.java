package dev.flashcomm.quant.allreduce;

/** {@code ((P0 + P1) + P2) + ...} in fp32; bytes of an fp32 ring. */
final class ExactAllReduce implements AllReduceAlgorithm {

    private static final int FP32_BYTES = 4;

    @Override
    public float[] reduce(float[][] partials, int rows, int cols) {
        Partials.requireValid(partials, rows, cols);
        float[] sum = partials[0].clone();
        for (int r = 1; r < partials.length; r++) {
            float[] p = partials[r];
            for (int i = 0; i < sum.length; i++) {
                sum[i] += p[i];
            }
        }
        return sum;
    }

    @Override
    public long[] bytesSentPerRank(int ranks, int rows, int cols) {
        return ByteCounts.elementRing(ranks, rows, cols, FP32_BYTES);
    }

    @Override
    public String toString() {
        return "exact";
    }
}
