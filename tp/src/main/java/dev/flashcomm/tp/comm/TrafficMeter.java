package dev.flashcomm.tp.comm;

/**
 * Counts what the all-reduces moved, how many were compressed, how many elements overflowed a cast to fp16: bytes sent per rank (exactly, as the algorithm reports them) and what an fp16
 * ring would have sent for the same tensors. Not thread-safe: one meter per evaluation run.
 */
public final class TrafficMeter {

    /** A snapshot; {@code maxRankBytes} is the busiest rank's total, the number that bounds link time. */
    public record Traffic(long allReduces, long maxRankBytes, long totalBytes, long fp16RingMaxRankBytes,
                          long compressedAllReduces, long castOverflows) {
        public double ratioToFp16Ring() {
            return fp16RingMaxRankBytes == 0 ? Double.NaN : (double) maxRankBytes / fp16RingMaxRankBytes;
        }
    }

    private long allReduces;
    private long[] perRank = new long[0];
    private long fp16Ring;
    private long compressed;
    private long overflows;

    /** One all-reduce was compressed (the others went in the fallback 16-bit format). */
    void recordCompressed() {
        compressed++;
    }

    /** Elements that a conversion to fp16 found above 65504 in magnitude (saturated, or made Inf). */
    void recordOverflows(long n) {
        overflows += n;
    }

    /**
     * An expert-parallel leg: its bytes per rank count with the all-reduces' (the busiest rank's total is what
     * bounds link time), its fp16 yardstick is the same rows in fp16; it is not counted as an all-reduce.
     */
    void recordTransfer(long[] bytesPerRank, long[] fp16PerRank) {
        record(bytesPerRank, fp16PerRank);
        allReduces--;
    }

    void record(long[] bytesPerRank, long[] fp16RingPerRank) {
        if (perRank.length < bytesPerRank.length) {
            perRank = java.util.Arrays.copyOf(perRank, bytesPerRank.length);
        }
        for (int r = 0; r < bytesPerRank.length; r++) {
            perRank[r] += bytesPerRank[r];
        }
        long maxRing = 0;
        for (long b : fp16RingPerRank) {
            maxRing = Math.max(maxRing, b);
        }
        fp16Ring += maxRing;
        allReduces++;
    }

    public Traffic snapshot() {
        long max = 0;
        long total = 0;
        for (long b : perRank) {
            max = Math.max(max, b);
            total += b;
        }
        return new Traffic(allReduces, max, total, fp16Ring, compressed, overflows);
    }
}
