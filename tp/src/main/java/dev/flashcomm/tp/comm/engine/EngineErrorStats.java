package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * The diagnostics of one all-reduce, computed where S lives: the exact fp32 rank-order sum, then in fp64 the
 * squared error sum, the squared reference sum and the largest absolute error. Only those three numbers cross to
 * the host, in one copy. (The fp64 sums are reduced by the engine, so their last bits may differ from a sequential
 * Java loop; they are diagnostics.)
 *
 * @param sqErr  {@code sum (approx - exact)^2}
 * @param sqRef  {@code sum exact^2}
 * @param maxAbs {@code max |approx - exact|}
 */
public record EngineErrorStats(long elements, double sqErr, double sqRef, double maxAbs) {

    /** @param partials as given to {@link EngineAllReduce#reduce}; {@code approx} its fp32 result */
    public static EngineErrorStats measure(List<NDArray> partials, NDArray approx, Workspace ws) {
        NDArray exact = new EngineExactAllReduce().reduce(partials, ws).toType(DataType.FLOAT64, false);
        NDArray err = approx.toType(DataType.FLOAT64, false).sub(exact);
        NDArray stats = NDArrays.stack(new NDList(err.square().sum(), exact.square().sum(), err.abs().max()));
        double[] s = stats.toDoubleArray();
        return new EngineErrorStats(approx.getShape().size(), s[0], s[1], s[2]);
    }
}
