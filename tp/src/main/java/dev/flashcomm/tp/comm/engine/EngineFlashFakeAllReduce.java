package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.quant.QuantSpec;
import dev.flashcomm.tp.kernels.FusedKernels;
import dev.flashcomm.tp.kernels.SharedKernels;
import java.util.List;

/**
 * Flash all-reduce as the doc's formula, {@code QDQ_ag(sum_r QDQ_rs(P_r))}, summed in fp32 in rank order: ranks
 * fake-quantize on their own devices (together, when they share one), the results move to rank 0's device, which
 * sums and applies QDQ_ag.
 * Applies to one rank too ({@code QDQ_ag(QDQ_rs(P_0))}), like the host algorithm. NaN/Inf: see
 * {@link EngineGroupQuantizer}.
 */
public final class EngineFlashFakeAllReduce implements EngineAllReduce {

    private final QuantSpec rs;
    private final EngineGroupQuantizer rsQuantizer;
    private final EngineGroupQuantizer agQuantizer;

    private final QuantSpec ag;
    private final FusedKernels kernels;

    public EngineFlashFakeAllReduce(QuantSpec rs, QuantSpec ag) {
        this(rs, ag, SharedKernels.orNull());
    }

    /** @param kernels fused kernels for the stacked path, or null for DJL ops (tests compare the two) */
    EngineFlashFakeAllReduce(QuantSpec rs, QuantSpec ag, FusedKernels kernels) {
        this.rs = rs;
        this.ag = ag;
        this.rsQuantizer = new EngineGroupQuantizer(rs, kernels);
        this.agQuantizer = new EngineGroupQuantizer(ag, kernels);
        this.kernels = kernels;
    }

    @Override
    public NDArray reduce(List<NDArray> partials, Workspace ws) {
        EngineGroupLayout layout = new EngineGroupLayout(EngineAllReduce.cols(partials), rs.groupSize());
        int rows = EngineAllReduce.rows(partials);
        if (kernels != null && layout.tailLength() == 0 && EngineAllReduce.onOneDevice(partials)) {
            // the stacked path below as one call: at TP 4 it is some 40 ops per all-reduce, 64 all-reduces a window
            return kernels.flashFake(partials, layout.length(), rs.symmetric(), rs.qmax(), ag.symmetric(), ag.qmax());
        }
        GroupPieces sum = EngineAllReduce.onOneDevice(partials) ? sumStacked(partials, layout, rows)
                : sumRankByRank(partials, layout, ws);
        return layout.join(sum.map(agQuantizer::qdq), rows);
    }

    /** The several-devices path, rank by rank, whatever the devices (tests compare it with the stacked one). */
    NDArray reduceRankByRank(List<NDArray> partials, Workspace ws) {
        EngineGroupLayout layout = new EngineGroupLayout(EngineAllReduce.cols(partials), rs.groupSize());
        GroupPieces sum = sumRankByRank(partials, layout, ws);
        return layout.join(sum.map(agQuantizer::qdq), EngineAllReduce.rows(partials));
    }

    /** Each rank quantizes on its own device; the results move to rank 0's device and are summed there. */
    private GroupPieces sumRankByRank(List<NDArray> partials, EngineGroupLayout layout, Workspace ws) {
        GroupPieces sum = null;
        for (NDArray p : partials) {
            GroupPieces sent = layout.split(p).map(rsQuantizer::qdq).moveTo(ws, ws.home());
            sum = sum == null ? sent : sum.add(sent);
        }
        return sum;
    }

    /**
     * Ranks sharing one device quantize together: their partials stacked row-wise are one group matrix, so QDQ runs
     * once instead of N times (groups never cross rows, and every op is per group or per element, so the values are
     * the same bits). The sum stays a left-to-right loop over ranks, as the host's.
     */
    private GroupPieces sumStacked(List<NDArray> partials, EngineGroupLayout layout, int rows) {
        int n = partials.size();
        GroupPieces q = layout.split(EngineAllReduce.stacked(partials)).map(rsQuantizer::qdq);
        GroupPieces sum = null;
        for (int r = 0; r < n; r++) {
            GroupPieces rank = q.rankRows(r, n);
            sum = sum == null ? rank : sum.add(rank);
        }
        return sum;
    }
}
