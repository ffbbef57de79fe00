package dev.flashcomm.tp.comm.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.ElementType;
import dev.flashcomm.tp.kernels.FusedKernels;
import dev.flashcomm.tp.kernels.SharedKernels;
import dev.flashcomm.quant.QuantSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Flash all-reduce with real packed buffers, bit-identical to {@link EngineFlashFakeAllReduce}:
 * <ol>
 *   <li>each rank packs its partial with the rs spec on its own device ({@code uint8} codes, fp16 scales and mins;
 *       full-length and row-tail groups in separate buffers, since their code rows differ in length);</li>
 *   <li>all-to-all: the G groups (global row-major order) are split into chunks {@code [floor(jG/N),
 *       floor((j+1)G/N))}, and rank r's chunk j is copied to rank j's device;</li>
 *   <li>rank j decodes its N chunks, sums them in rank order in the accumulation dtype, packs the sum with the ag spec;</li>
 *   <li>all-gather: each reduced chunk is copied to rank 0's device and decoded into S. Every rank would decode
 *       the same bytes into the same S, so S is decoded once (as the host algorithm does) but the bytes are
 *       counted for all N-1 receivers.</li>
 * </ol>
 * {@link #reduceCounting} reports the bytes each rank sent, summed from the buffers that moved; it equals the host
 * algorithm's {@code bytesSentPerRank} (tested). NaN/Inf: see {@link EngineGroupQuantizer}.
 */
public final class EngineFlashPackedAllReduce implements EngineAllReduce {

    /** S and what each rank sent to build it. */
    public record Result(NDArray sum, long[] bytesSentPerRank) {
        public Result {
            bytesSentPerRank = bytesSentPerRank.clone();
        }

        @Override
        public long[] bytesSentPerRank() {
            return bytesSentPerRank.clone();
        }
    }

    private final QuantSpec rs;
    private final EngineGroupQuantizer rsQuantizer;
    private final EngineGroupQuantizer agQuantizer;
    private final Accumulation acc;
    private final QuantSpec ag;
    /** The fused one-device path: plain integer codes whose width divides 8, summed in fp32; null otherwise. */
    private final FusedKernels kernels;

    public EngineFlashPackedAllReduce(QuantSpec rs, QuantSpec ag) {
        this(rs, ag, Accumulation.FP32);
    }

    public EngineFlashPackedAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc) {
        this(rs, ag, acc, SharedKernels.orNull());
    }

    /** @param kernels fused kernels for the one-device path, or null for DJL ops (tests compare the two) */
    EngineFlashPackedAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc, FusedKernels kernels) {
        this.acc = acc;
        this.rs = rs;
        this.ag = ag;
        this.rsQuantizer = new EngineGroupQuantizer(rs, kernels);
        this.agQuantizer = new EngineGroupQuantizer(ag, kernels);
        this.kernels = byteAligned(rs) && byteAligned(ag) && acc == Accumulation.FP32 ? kernels : null;
    }

    private static boolean byteAligned(QuantSpec s) {
        return s.element() == ElementType.INT && !s.spikes() && 8 % s.bits() == 0;
    }

    @Override
    public NDArray reduce(List<NDArray> partials, Workspace ws) {
        return reduceCounting(partials, ws).sum();
    }

    /** {@link #reduce}, plus the bytes each rank put on the wire. */
    public Result reduceCounting(List<NDArray> partials, Workspace ws) {
        return EngineAllReduce.onOneDevice(partials) ? reduceOnOneDevice(partials, ws) : reduceRankByRank(partials, ws);
    }

    /**
     * Chunk by chunk, each rank's buffers moved to their owner's device: the path for ranks on several devices
     * (package-private so tests on one device can compare it with {@link #reduceOnOneDevice}).
     */
    Result reduceRankByRank(List<NDArray> partials, Workspace ws) {
        int ranks = partials.size();
        int rows = EngineAllReduce.rows(partials);
        EngineGroupLayout layout = new EngineGroupLayout(EngineAllReduce.cols(partials), rs.groupSize());
        long groups = layout.groupCount(rows);
        long[] sent = new long[ranks];
        EngineAccumulation running = new EngineAccumulation(acc, ws);

        // inbox.get(j).get(r): rank r's chunk j, on rank j's device
        List<List<PackedChunk>> inbox = new ArrayList<>();
        for (int j = 0; j < ranks; j++) {
            inbox.add(new ArrayList<>());
        }
        for (int r = 0; r < ranks; r++) {
            PackedChunk packed = PackedChunk.pack(rsQuantizer, layout.split(partials.get(r)));
            for (int j = 0; j < ranks; j++) {
                long first = EngineAllReduce.chunkStart(j, groups, ranks);
                long end = EngineAllReduce.chunkStart(j + 1, groups, ranks);
                PackedChunk chunk = packed.slice(layout.fullBefore(first), layout.fullBefore(end),
                        layout.tailBefore(first), layout.tailBefore(end));
                if (j != r) {
                    chunk = chunk.moveTo(ws, partials.get(j).getDevice());
                    sent[r] += chunk.byteSize();
                }
                inbox.get(j).add(chunk);
            }
        }

        List<GroupPieces> reduced = new ArrayList<>();
        for (int j = 0; j < ranks; j++) {
            List<PackedChunk> received = inbox.get(j);
            if (received.get(0).byteSize() == 0) {
                continue; // fewer groups than ranks: rank j owns none
            }
            GroupPieces sum = running.round(received.get(0).unpack(rsQuantizer));
            for (int r = 1; r < ranks; r++) {
                sum = running.add(sum, received.get(r).unpack(rsQuantizer));
            }
            PackedChunk out = PackedChunk.pack(agQuantizer, sum);
            sent[j] += (long) (ranks - 1) * out.byteSize();
            Device home = ws.home();
            reduced.add(out.moveTo(ws, home).unpack(agQuantizer));
        }
        NDArray s = layout.join(EngineGroupLayout.concat(reduced), rows);
        return new Result(s, sent);
    }

    /**
     * All ranks on one device: every rank's packed partial is a block of rows of one buffer packed from the stacked
     * partials, and the chunks a rank receives are row ranges of it; decoding rows is per group, so the N received
     * chunks of every owner are decoded together, and the reduced chunks are packed and decoded as one buffer too.
     * The bytes each rank sends are still summed from the row ranges that would travel. The values are those of the
     * chunk-by-chunk path bit for bit (one pack/unpack instead of N² small ones).
     */
    private Result reduceOnOneDevice(List<NDArray> partials, Workspace ws) {
        EngineAccumulation running = new EngineAccumulation(acc, ws);
        int ranks = partials.size();
        int rows = EngineAllReduce.rows(partials);
        EngineGroupLayout layout = new EngineGroupLayout(EngineAllReduce.cols(partials), rs.groupSize());
        long groups = layout.groupCount(rows);
        long fullPerRank = layout.fullBefore(groups);
        if (kernels != null && layout.tailLength() == 0) {
            return fusedOnOneDevice(partials, layout, groups, fullPerRank);
        }
        long tailPerRank = layout.tailBefore(groups);
        long[] sent = new long[ranks];
        PackedChunk packed = PackedChunk.pack(rsQuantizer, layout.split(EngineAllReduce.stacked(partials)));
        for (int r = 0; r < ranks; r++) {
            for (int j = 0; j < ranks; j++) {
                if (j != r) {
                    sent[r] += chunk(packed, layout, groups, ranks, j, r * fullPerRank, r * tailPerRank).byteSize();
                }
            }
        }
        GroupPieces decoded = packed.unpack(rsQuantizer);
        GroupPieces sum = running.round(decoded.rankRows(0, ranks));
        for (int r = 1; r < ranks; r++) {
            sum = running.add(sum, decoded.rankRows(r, ranks));
        }
        PackedChunk reduced = PackedChunk.pack(agQuantizer, sum);
        for (int j = 0; j < ranks; j++) {
            sent[j] += (long) (ranks - 1) * chunk(reduced, layout, groups, ranks, j, 0, 0).byteSize();
        }
        return new Result(layout.join(reduced.unpack(agQuantizer), rows), sent);
    }

    /**
     * The path above as one fused call (whole groups only); the bytes are counted the same way, from row ranges of
     * the packed buffers the call returns.
     */
    private Result fusedOnOneDevice(List<NDArray> partials, EngineGroupLayout layout, long groups,
                                    long fullPerRank) {
        int ranks = partials.size();
        int length = layout.length();
        NDArray[] out = kernels.flashPacked(partials, length, rs.bits(), rs.symmetric(), rs.qmax(), ag.bits(),
                ag.symmetric(), ag.qmax());
        PackedChunk packed = new PackedChunk(new PackedPiece(out[1], out[2], rs.symmetric() ? null : out[3], length),
                null);
        PackedChunk reduced = new PackedChunk(new PackedPiece(out[4], out[5], ag.symmetric() ? null : out[6], length),
                null);
        long[] sent = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            for (int j = 0; j < ranks; j++) {
                if (j != r) {
                    sent[r] += chunk(packed, layout, groups, ranks, j, r * fullPerRank, 0).byteSize();
                }
            }
            sent[r] += (long) (ranks - 1) * chunk(reduced, layout, groups, ranks, r, 0, 0).byteSize();
        }
        return new Result(out[0], sent);
    }

    /** Chunk j (of the doc's group split) of a packed buffer whose groups start at the given full/tail rows. */
    private static PackedChunk chunk(PackedChunk buffer, EngineGroupLayout layout, long groups, int ranks, int j,
                                     long fullOffset, long tailOffset) {
        long first = EngineAllReduce.chunkStart(j, groups, ranks);
        long end = EngineAllReduce.chunkStart(j + 1, groups, ranks);
        return buffer.slice(fullOffset + layout.fullBefore(first), fullOffset + layout.fullBefore(end),
                tailOffset + layout.tailBefore(first), tailOffset + layout.tailBefore(end));
    }
}
