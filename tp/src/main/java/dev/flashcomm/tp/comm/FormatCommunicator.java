package dev.flashcomm.tp.comm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithm;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithms;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.quant.allreduce.NonFiniteException;
import dev.flashcomm.tp.comm.engine.EngineAllReduce;
import dev.flashcomm.tp.comm.engine.EngineAllReduces;
import dev.flashcomm.tp.comm.engine.EngineErrorStats;
import dev.flashcomm.tp.comm.engine.Workspace;
import java.util.ArrayList;
import java.util.List;

/**
 * A communicator that combines partials with the all-reduce algorithm of a {@link CommSettings}, counts the bytes
 * it moved, and optionally measures the error against the exact sum per layer and site.
 *
 * <p>Two implementations of the same numerics ({@link CommImpl}): {@code ENGINE} runs them as DJL ops where the
 * partials live (package {@code engine}) and copies nothing to the host unless errors are measured; {@code HOST},
 * the reference oracle, runs module {@code quant}'s Java algorithms on fp32 copies of the partials. They agree bit
 * for bit on CPU fp32. Both do the numerics in fp32 and return the partials' dtype. Byte counts come from the host
 * algorithms in both cases. With a single rank nothing is communicated and the partial is returned as is,
 * whatever the format.
 *
 * <p>Only HOST rejects NaN/Inf (with the layer and site); ENGINE lets them through (see {@code EngineAllReduce}), as
 * the model checks each layer for non-finite values. HOST sums {@code exact} without errors in the partials' dtype
 * (today's behaviour); ENGINE sums it in fp32, like every other format.
 */
public final class FormatCommunicator implements Communicator {

    private final CommSettings settings;
    private final AllReduceAlgorithm compressed;
    /** fp16, for the all-reduces the scope leaves uncompressed; also the yardstick the bytes are compared with. */
    private final AllReduceAlgorithm fp16;
    private final CommImpl impl;
    private final EngineAllReduce engineCompressed;
    private final EngineAllReduce engineFp16;
    private final TrafficMeter meter;
    private final SiteErrors errors;

    /** An {@link CommImpl#ENGINE} communicator. */
    public FormatCommunicator(CommSettings settings, TrafficMeter meter, SiteErrors errors) {
        this(settings, CommImpl.ENGINE, meter, errors);
    }

    /**
     * @param impl   where the numerics run
     * @param errors where to accumulate per-site errors, or null to skip the (costly) exact reference sum
     */
    public FormatCommunicator(CommSettings settings, CommImpl impl, TrafficMeter meter, SiteErrors errors) {
        if (settings == null || impl == null || meter == null) {
            throw new IllegalArgumentException("settings, impl and meter are required");
        }
        this.settings = settings;
        this.impl = impl;
        this.compressed = AllReduceAlgorithms.create(settings.format(), settings.path());
        this.fp16 = AllReduceAlgorithms.create(CommSettings.FP16, CommPath.FAKE);
        this.engineCompressed = EngineAllReduces.create(settings.format(), settings.path());
        this.engineFp16 = EngineAllReduces.create(CommSettings.FP16, CommPath.FAKE);
        this.meter = meter;
        this.errors = errors;
    }

    public CommImpl impl() {
        return impl;
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
        if (impl == CommImpl.ENGINE) {
            return onEngine(partials, compress ? engineCompressed : engineFp16, format, layer, site, rows, (int) cols);
        }
        return onHost(partials, algorithm, format, layer, site, rows, (int) cols);
    }

    /** The device-resident path: every temporary lives in a workspace under rank 0's manager, freed on return. */
    private NDArray onEngine(List<NDArray> partials, EngineAllReduce algorithm, CommFormat format, int layer,
            Site site, int rows, int cols) {
        NDArray first = partials.get(0);
        try (Workspace ws = Workspace.newUnder(first)) {
            List<NDArray> work = new ArrayList<>(partials.size());
            for (NDArray p : partials) {
                work.add(ws.adopt(p, rows, cols));
            }
            NDArray sum = algorithm.reduce(work, ws);
            if (errors != null) {
                EngineErrorStats e = EngineErrorStats.measure(work, sum, ws);
                errors.add(layer, site, format.name(), e.elements(), e.sqErr(), e.sqRef(), e.maxAbs());
            }
            NDArray result = sum.reshape(first.getShape()).toType(first.getDataType(), false);
            return ws.keep(result);
        }
    }

    /** The reference path: Java algorithms on fp32 host copies (unchanged from before the engine path existed). */
    private NDArray onHost(List<NDArray> partials, AllReduceAlgorithm algorithm, CommFormat format, int layer,
            Site site, int rows, int cols) {
        int ranks = partials.size();
        NDArray first = partials.get(0);
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
            sum = algorithm.reduce(host, rows, cols);
        } catch (NonFiniteException e) {
            throw new NonFiniteValuesException("layer " + layer + " " + site.id() + " all-reduce: " + e.getMessage()
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
