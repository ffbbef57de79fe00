package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.ElementType;
import dev.flashcomm.quant.QuantSpec;
import dev.flashcomm.tp.kernels.FusedKernels;
import dev.flashcomm.tp.kernels.SharedKernels;
import java.util.List;

/**
 * Flash all-reduce as the doc's formula, {@code QDQ_ag(sum_r QDQ_rs(P_r))}, summed in rank order in the accumulation
 * dtype: ranks fake-quantize on their own devices (together, when they share one), the results move to rank 0's
 * device, which sums and applies QDQ_ag.
 * Applies to one rank too ({@code QDQ_ag(QDQ_rs(P_0))}), like the host algorithm. NaN/Inf: see
 * {@link EngineGroupQuantizer}.
 */
public final class EngineFlashFakeAllReduce implements EngineAllReduce {

    private final QuantSpec rs;
    private final EngineGroupQuantizer rsQuantizer;
    private final EngineGroupQuantizer agQuantizer;
    private final Accumulation acc;

    private final QuantSpec ag;
    /** The fused stacked path, only for plain integer formats summed in fp32; null otherwise. */
    private final FusedKernels kernels;

    public EngineFlashFakeAllReduce(QuantSpec rs, QuantSpec ag) {
        this(rs, ag, Accumulation.FP32);
    }

    public EngineFlashFakeAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc) {
        this(rs, ag, acc, SharedKernels.orNull());
    }

    /** @param kernels fused kernels for the stacked path, or null for DJL ops (tests compare the two) */
    EngineFlashFakeAllReduce(QuantSpec rs, QuantSpec ag, FusedKernels kernels) {
        this(rs, ag, Accumulation.FP32, kernels);
    }

    EngineFlashFakeAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc, FusedKernels kernels) {
        this.acc = acc;
        this.rs = rs;
        this.ag = ag;
        this.rsQuantizer = new EngineGroupQuantizer(rs, kernels);
        this.agQuantizer = new EngineGroupQuantizer(ag, kernels);
        boolean plain = plainInt(rs) && plainInt(ag) && acc == Accumulation.FP32;
        this.kernels = plain ? kernels : null;
    }

    private static boolean plainInt(QuantSpec s) {
        return s.element() == ElementType.INT && !s.spikes();
    }

    @Override
    public NDArray reduce(List<NDArray> partials, Workspace ws) {
        EngineGroupLayout layout = new EngineGroupLayout(EngineAllReduce.cols(partials), rs.groupSize());
        int rows = EngineAllReduce.rows(partials);
        if (kernels != null && layout.tailLength() == 0 && EngineAllReduce.onOneDevice(partials)) {
            // the stacked path below as one call: at TP 4 it is some 40 ops per all-reduce, 64 all-reduces a window
            return kernels.flashFake(partials, layout.length(), rs.symmetric(), rs.qmax(), ag.symmetric(), ag.qmax());
        }
        GroupPieces sum = EngineAllReduce.onOneDevice(partials) ? sumStacked(partials, layout, rows, ws)
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
        EngineAccumulation running = new EngineAccumulation(acc, ws);
        GroupPieces sum = null;
        for (NDArray p : partials) {
            GroupPieces sent = layout.split(p).map(rsQuantizer::qdq).moveTo(ws, ws.home());
            sum = sum == null ? running.round(sent) : running.add(sum, sent);
        }
        return sum;
    }

    /**
     * Ranks sharing one device quantize together: their partials stacked row-wise are one group matrix, so QDQ runs
     * once instead of N times (groups never cross rows, and every op is per group or per element, so the values are
     * the same bits). The sum stays a left-to-right loop over ranks, as the host's.
     */
    private GroupPieces sumStacked(List<NDArray> partials, EngineGroupLayout layout, int rows, Workspace ws) {
        int n = partials.size();
        EngineAccumulation running = new EngineAccumulation(acc, ws);
        GroupPieces q = layout.split(EngineAllReduce.stacked(partials)).map(rsQuantizer::qdq);
        GroupPieces sum = null;
        for (int r = 0; r < n; r++) {
            GroupPieces rank = q.rankRows(r, n);
            sum = sum == null ? running.round(rank) : running.add(sum, rank);
        }
        return sum;
    }
}
