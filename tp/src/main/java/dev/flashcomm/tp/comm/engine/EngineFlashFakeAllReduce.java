package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.quant.QuantSpec;
import java.util.List;

/**
 * Flash all-reduce as the doc's formula, {@code QDQ_ag(sum_r QDQ_rs(P_r))}, summed in fp32 in rank order: each
 * rank fake-quantizes on its own device, the results move to rank 0's device, which sums and applies QDQ_ag.
 * Applies to one rank too ({@code QDQ_ag(QDQ_rs(P_0))}), like the host algorithm. NaN/Inf: see
 * {@link EngineGroupQuantizer}.
 */
public final class EngineFlashFakeAllReduce implements EngineAllReduce {

    private final QuantSpec rs;
    private final EngineGroupQuantizer rsQuantizer;
    private final EngineGroupQuantizer agQuantizer;

    public EngineFlashFakeAllReduce(QuantSpec rs, QuantSpec ag) {
        this.rs = rs;
        this.rsQuantizer = new EngineGroupQuantizer(rs);
        this.agQuantizer = new EngineGroupQuantizer(ag);
    }

    @Override
    public NDArray reduce(List<NDArray> partials, Workspace ws) {
        EngineGroupLayout layout = new EngineGroupLayout(EngineAllReduce.cols(partials), rs.groupSize());
        GroupPieces sum = null;
        for (NDArray p : partials) {
            GroupPieces sent = layout.split(p).map(rsQuantizer::qdq).moveTo(ws, ws.home());
            sum = sum == null ? sent : sum.add(sent);
        }
        return layout.join(sum.map(agQuantizer::qdq), EngineAllReduce.rows(partials));
    }
}
