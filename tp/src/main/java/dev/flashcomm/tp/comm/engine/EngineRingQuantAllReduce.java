package dev.flashcomm.tp.comm.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.QuantSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The doc's ablation, a ring that quantizes at every hop, as the host's {@code RingQuantAllReduce} reads it:
 * chunks are ranges of whole groups, split like flash's. Chunk j starts on rank j+1, which sends
 * {@code QDQ_rs(P_{j+1})}; each later rank k = j+2 .. j+N-1 adds its partial and sends {@code QDQ_rs(acc + P_k)};
 * rank j adds its own partial unquantized and applies QDQ_ag once; the all-gather forwards that to everyone.
 * The running sum really hops: each step runs on the device of the rank that holds it. With one rank,
 * {@code S = QDQ_ag(P_0)}. Values in fake-quant form (bit-identical to packing); bytes stay with the host
 * algorithm. NaN/Inf: see {@link EngineGroupQuantizer}.
 */
public final class EngineRingQuantAllReduce implements EngineAllReduce {

    private final QuantSpec rs;
    private final EngineGroupQuantizer rsQuantizer;
    private final EngineGroupQuantizer agQuantizer;
    private final Accumulation acc;

    public EngineRingQuantAllReduce(QuantSpec rs, QuantSpec ag) {
        this(rs, ag, Accumulation.FP32);
    }

    public EngineRingQuantAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc) {
        this.acc = acc;
        this.rs = rs;
        this.rsQuantizer = new EngineGroupQuantizer(rs);
        this.agQuantizer = new EngineGroupQuantizer(ag);
    }

    @Override
    public NDArray reduce(List<NDArray> partials, Workspace ws) {
        int ranks = partials.size();
        int rows = EngineAllReduce.rows(partials);
        EngineGroupLayout layout = new EngineGroupLayout(EngineAllReduce.cols(partials), rs.groupSize());
        long groups = layout.groupCount(rows);
        List<GroupPieces> split = new ArrayList<>();
        for (NDArray p : partials) {
            split.add(layout.split(p));
        }
        List<GroupPieces> chunks = new ArrayList<>();
        EngineAccumulation running = new EngineAccumulation(this.acc, ws);
        for (int j = 0; j < ranks; j++) {
            long first = EngineAllReduce.chunkStart(j, groups, ranks);
            long end = EngineAllReduce.chunkStart(j + 1, groups, ranks);
            if (first == end) {
                continue;
            }
            GroupPieces acc;
            if (ranks == 1) {
                acc = layout.chunk(split.get(0), first, end);
            } else {
                acc = layout.chunk(split.get((j + 1) % ranks), first, end).map(rsQuantizer::qdq);
                for (int hop = 2; hop < ranks; hop++) {
                    acc = running.round(hopTo(acc, (j + hop) % ranks, split, partials, layout, first, end, ws))
                            .map(rsQuantizer::qdq);
                }
                acc = running.round(hopTo(acc, j, split, partials, layout, first, end, ws));
            }
            chunks.add(acc.map(agQuantizer::qdq).moveTo(ws, ws.home()));
        }
        return layout.join(EngineGroupLayout.concat(chunks), rows);
    }

    /** Moves the running sum to rank k's device and adds rank k's part of the chunk. */
    private static GroupPieces hopTo(GroupPieces acc, int k, List<GroupPieces> split, List<NDArray> partials,
            EngineGroupLayout layout, long first, long end, Workspace ws) {
        Device device = partials.get(k).getDevice();
        return acc.moveTo(ws, device).add(layout.chunk(split.get(k), first, end));
    }
}
