package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** {@code ((P0 + P1) + P2) + ...} in fp32 on rank 0's device. NaN and Inf propagate as IEEE addition says. */
public final class EngineExactAllReduce implements EngineAllReduce {

    @Override
    public NDArray reduce(List<NDArray> partials, Workspace ws) {
        NDArray sum = ws.moveTo(partials.get(0), ws.home());
        if (partials.size() == 1) {
            return sum.duplicate(); // never hand out a view of the caller's partial
        }
        for (int r = 1; r < partials.size(); r++) {
            sum = sum.add(ws.moveTo(partials.get(r), ws.home()));
        }
        return sum;
    }

    @Override
    public String toString() {
        return "exact";
    }
}
