package dev.flashcomm.tp.comm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithm;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithms;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.quant.allreduce.NonFiniteException;
import java.util.List;

/**
 * A communicator that combines partials with the all-reduce algorithm of a {@link CommSettings}, counts the bytes
 * it moved, and optionally measures the error against the exact sum per layer and site.
 *
 * <p>The low-bit numerics run in Java on fp32 copies of the partials: that is what makes the fake-quant and packed
 * paths bit-identical and the byte counts exact. With a single rank nothing is communicated and the partial is
 * returned as is, whatever the format.
 */
public final class FormatCommunicator implements Communicator {

    private final CommSettings settings;
    private final AllReduceAlgorithm compressed;
    /** fp16, for the all-reduces the scope leaves uncompressed; also the yardstick the bytes are compared with. */
    private final AllReduceAlgorithm fp16;
    private final TrafficMeter meter;
    private final SiteErrors errors;

    /**
     * @param errors where to accumulate per-site errors, or null to skip the (costly) exact reference sum
     */
    public FormatCommunicator(CommSettings settings, TrafficMeter meter, SiteErrors errors) {
        this.settings = settings;
        this.compressed = AllReduceAlgorithms.create(settings.format(), settings.path());
        this.fp16 = AllReduceAlgorithms.create(CommSettings.FP16, CommPath.FAKE);
        this.meter = meter;
        this.errors = errors;
    }

    @Override
    public NDArray allReduce(List<NDArray> partials, int layer, Site site) {
        int ranks = partials.size();
        NDArray first = partials.get(0);
        if (ranks == 1) {
            return first;
        }
        boolean compress = settings.scope().covers(layer, site);
        CommFormat format = compress ? settings.format() : CommSettings.FP16;
        AllReduceAlgorithm algorithm = compress ? compressed : fp16;
        long cols = first.getShape().get(first.getShape().dimension() - 1);
        int rows = Math.toIntExact(first.getShape().size() / cols);
        meter.record(algorithm.bytesSentPerRank(ranks, rows, (int) cols),
                fp16.bytesSentPerRank(ranks, rows, (int) cols));
        if (format.kind() == CommFormat.Kind.EXACT && errors == null) {
            // exact sums stay in the engine: same fp32 left-to-right order, no copy to Java
            NDArray result = first;
            for (int r = 1; r < ranks; r++) {
                NDArray p = partials.get(r);
                result = result.add(p.getDevice().equals(first.getDevice()) ? p : p.toDevice(first.getDevice(), true));
            }
            return result;
        }
        float[][] host = new float[ranks][];
        for (int r = 0; r < ranks; r++) {
            NDArray p = partials.get(r);
            host[r] = (p.getDataType() == DataType.FLOAT32 ? p : p.toType(DataType.FLOAT32, false)).toFloatArray();
        }
        float[] sum;
        try {
            sum = algorithm.reduce(host, rows, (int) cols);
        } catch (NonFiniteException e) {
            throw new ArithmeticException("layer " + layer + " " + site.id() + " all-reduce: " + e.getMessage()
                    + " (the model produced NaN/Inf before communication)");
        }
        if (errors != null) {
            float[] exact = new float[sum.length];
            for (float[] p : host) {
                for (int i = 0; i < exact.length; i++) {
                    exact[i] += p[i];
                }
            }
            errors.add(layer, site, format.name(), exact, sum);
        }
        NDArray result = first.getManager().create(sum, first.getShape());
        return first.getDataType() == DataType.FLOAT32 ? result : result.toType(first.getDataType(), false);
    }
}
