package dev.flashcomm.tp.comm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.Half;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithm;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithms;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.quant.allreduce.NonFiniteException;
import dev.flashcomm.tp.Scalars;
import dev.flashcomm.tp.comm.engine.EngineAllReduce;
import dev.flashcomm.tp.comm.engine.EngineAllReduces;
import dev.flashcomm.tp.comm.engine.EngineErrorStats;
import dev.flashcomm.tp.comm.engine.EngineRounding;
import dev.flashcomm.tp.comm.engine.Workspace;
import java.util.ArrayList;
import java.util.List;

/**
 * A communicator that combines partials with the all-reduce algorithm of a {@link CommSettings}, counts the bytes
 * it moved, and optionally measures the error against the exact sum per layer and site.
 *
 * <p>Per all-reduce: the partials are first cast to the activations' dtype ({@link CommCast}); the all-reduce is
 * compressed when the scope covers its layer and site and its message is at least the {@link CompressThreshold};
 * a compressed one may convert bf16 to fp16 first (the kernel's cast), then runs the format with the settings'
 * accumulation dtype; the others run the fallback 16-bit format ({@link CommSettings#fallbackFormat()}). Elements
 * above 65504 at a conversion to fp16 are counted (one scalar read back per rank when a conversion to fp16 is
 * configured, none otherwise).
 *
 * <p>Two implementations of the same numerics ({@link CommImpl}): {@code ENGINE} runs them as DJL ops where the
 * partials live (package {@code engine}) and copies nothing to the host unless errors are measured or overflows
 * counted; {@code HOST}, the reference oracle, runs module {@code quant}'s Java algorithms on fp32 copies of the
 * partials. They agree bit for bit on CPU fp32. Both do the numerics in fp32 and return the partials' dtype. Byte
 * counts come from the host algorithms in both cases. With a single rank nothing is communicated and the partial is
 * returned as is, whatever the format.
 *
 * <p>Only HOST rejects NaN/Inf (with the layer and site, and naming an Inf cast as the cause when there is one);
 * ENGINE lets them through (see {@code EngineAllReduce}), as the model checks each layer for non-finite values. HOST
 * sums {@code exact} without errors or casts in the partials' dtype (today's behaviour); ENGINE sums it in fp32, like
 * every other format. Errors are measured against the exact fp32 sum of the partials as the model made them, so they
 * include what the casts did.
 */
public final class FormatCommunicator implements Communicator {

    private static final float FP16_MAX = Half.MAX;

    private final CommSettings settings;
    private final AllReduceAlgorithm compressed;
    /** The format of the all-reduces that are not compressed. */
    private final CommFormat fallbackFormat;
    private final AllReduceAlgorithm fallback;
    /** fp16 ring: the yardstick the bytes are compared with. */
    private final AllReduceAlgorithm fp16;
    private final CommImpl impl;
    private final EngineAllReduce engineCompressed;
    private final EngineAllReduce engineFallback;
    private final TrafficMeter meter;
    private final SiteErrors errors;
    /** The expert-parallel legs' codecs, made on first use (most runs have none). */
    private final java.util.Map<CommFormat, LegCodec> legs = new java.util.HashMap<>();

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
        this.compressed = AllReduceAlgorithms.create(settings.format(), settings.path(), settings.accumulation());
        this.fallbackFormat = settings.fallbackFormat();
        this.fallback = AllReduceAlgorithms.create(fallbackFormat, CommPath.FAKE);
        this.fp16 = AllReduceAlgorithms.create(CommSettings.FP16, CommPath.FAKE);
        this.engineCompressed = EngineAllReduces.create(settings.format(), settings.path(), settings.accumulation());
        this.engineFallback = EngineAllReduces.create(fallbackFormat, CommPath.FAKE);
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
        long cols = first.getShape().get(first.getShape().dimension() - 1);
        int rows = Math.toIntExact(first.getShape().size() / cols);
        boolean compress = settings.scope().covers(layer, site)
                && settings.threshold().compresses(ranks, (long) rows * cols);
        CommFormat format = compress ? settings.format() : fallbackFormat;
        AllReduceAlgorithm algorithm = compress ? compressed : fallback;
        meter.record(algorithm.bytesSentPerRank(ranks, rows, (int) cols),
                fp16.bytesSentPerRank(ranks, rows, (int) cols));
        if (compress) {
            meter.recordCompressed();
        }
        if (impl == CommImpl.ENGINE) {
            return onEngine(partials, compress ? engineCompressed : engineFallback, format, compress, layer, site,
                    rows, (int) cols);
        }
        return onHost(partials, algorithm, format, compress, layer, site, rows, (int) cols);
    }

    /** The device-resident path: every temporary lives in a workspace under rank 0's manager, freed on return. */
    private NDArray onEngine(List<NDArray> partials, EngineAllReduce algorithm, CommFormat format, boolean compress,
            int layer, Site site, int rows, int cols) {
        NDArray first = partials.get(0);
        try (Workspace ws = Workspace.newUnder(first)) {
            List<NDArray> work = new ArrayList<>(partials.size());
            for (NDArray p : partials) {
                work.add(ws.adopt(p, rows, cols));
            }
            long overflows = 0;
            List<NDArray> sent = work;
            if (!settings.cast().equals(CommCast.NONE)) {
                sent = new ArrayList<>(work.size());
                for (NDArray p : work) {
                    NDArray c = p;
                    CommCast cast = settings.cast();
                    if (cast.dtype() == CommCast.Dtype.BF16) {
                        c = EngineRounding.rbf16(c, ws.powersOfTwo(c.getDevice()));
                    }
                    if (cast.dtype() == CommCast.Dtype.FP16 || (compress && cast.toFp16())) {
                        overflows += c.abs().gt(Scalars.of(c, FP16_MAX)).toType(DataType.INT64, false).sum().getLong();
                        c = cast.overflow() == CommCast.Overflow.INF ? EngineRounding.r16Inf(c) : EngineRounding.r16(c);
                    }
                    sent.add(c);
                }
            }
            meter.recordOverflows(overflows);
            NDArray sum = algorithm.reduce(sent, ws);
            if (errors != null) {
                EngineErrorStats e = EngineErrorStats.measure(work, sum, ws);
                errors.add(layer, site, format.name(), e.elements(), e.sqErr(), e.sqRef(), e.maxAbs(), overflows);
            }
            NDArray result = sum.reshape(first.getShape()).toType(first.getDataType(), false);
            return ws.keep(result);
        }
    }

    /** The reference path: Java algorithms on fp32 host copies. */
    private NDArray onHost(List<NDArray> partials, AllReduceAlgorithm algorithm, CommFormat format, boolean compress,
            int layer, Site site, int rows, int cols) {
        int ranks = partials.size();
        NDArray first = partials.get(0);
        if (format.kind() == CommFormat.Kind.EXACT && errors == null && settings.cast().equals(CommCast.NONE)) {
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
        requireFinite(host, layer, site, cols);
        float[][] sent = host;
        long overflows = 0;
        if (!settings.cast().equals(CommCast.NONE)) {
            sent = new float[ranks][];
            for (int r = 0; r < ranks; r++) {
                sent[r] = host[r].clone();
                overflows += castInPlace(sent[r], settings.cast(), compress);
            }
        }
        meter.recordOverflows(overflows);
        float[] sum;
        try {
            sum = algorithm.reduce(sent, rows, cols);
        } catch (NonFiniteException e) {
            // the partials were finite, so the cast made the infinity
            throw new NonFiniteValuesException("layer " + layer + " " + site.id() + " all-reduce: the "
                    + settings.cast().label() + " cast overflowed " + overflows + " element(s) to Inf (" + e.getMessage()
                    + "; :saturate clamps instead)");
        }
        if (errors != null) {
            float[] exact = new float[sum.length];
            for (float[] p : host) {
                for (int i = 0; i < exact.length; i++) {
                    exact[i] += p[i];
                }
            }
            errors.add(layer, site, format.name(), exact, sum, overflows);
        }
        NDArray result = first.getManager().create(sum, first.getShape());
        return first.getDataType() == DataType.FLOAT32 ? result : result.toType(first.getDataType(), false);
    }

    @Override
    public NDArray transfer(NDArray rows, int layer, Site site, LegTraffic traffic) {
        if (!site.expertLeg()) {
            throw new IllegalArgumentException(site.id() + " is an all-reduce site, not a dispatch or combine leg");
        }
        if (traffic.ranks() == 1) {
            return rows; // one rank holds every expert: nothing travels, as with a one-rank all-reduce
        }
        CommFormat f = settings.legFormat(layer, site);
        LegCodec codec = legs.computeIfAbsent(f, LegCodec::new);
        int cols = Math.toIntExact(rows.getShape().get(rows.getShape().dimension() - 1));
        int n = Math.toIntExact(rows.getShape().size() / Math.max(1, cols));
        long[] rowsSent = traffic.sent();
        long[] bytes = new long[rowsSent.length];
        long[] fp16Bytes = new long[rowsSent.length];
        for (int r = 0; r < bytes.length; r++) {
            bytes[r] = rowsSent[r] * codec.bytesPerRow(cols);
            fp16Bytes[r] = rowsSent[r] * 2L * cols;
        }
        meter.recordTransfer(bytes, fp16Bytes);
        if (errors != null && site == Site.DISPATCH) {
            errors.addExpertLoad(layer, traffic.received());
        }
        if (n == 0) {
            return rows;
        }
        if (impl == CommImpl.ENGINE) {
            try (Workspace ws = Workspace.newUnder(rows)) {
                NDArray wide = ws.adopt(rows, n, cols);
                NDArray out = codec.roundEngine(wide, ws);
                if (errors != null) {
                    EngineErrorStats e = EngineErrorStats.measure(List.of(wide), out, ws);
                    errors.add(layer, site, f.name(), e.elements(), e.sqErr(), e.sqRef(), e.maxAbs(), 0);
                }
                return ws.keep(out.reshape(rows.getShape()).toType(rows.getDataType(), false));
            }
        }
        float[] host = (rows.getDataType() == DataType.FLOAT32 ? rows : rows.toType(DataType.FLOAT32, false))
                .toFloatArray();
        float[] sent = host.clone();
        codec.roundHost(sent, n, cols);
        if (errors != null) {
            errors.add(layer, site, f.name(), host, sent, 0);
        }
        NDArray result = rows.getManager().create(sent, rows.getShape());
        return rows.getDataType() == DataType.FLOAT32 ? result : result.toType(rows.getDataType(), false);
    }

    private static void requireFinite(float[][] host, int layer, Site site, int cols) {
        for (int r = 0; r < host.length; r++) {
            for (int i = 0; i < host[r].length; i++) {
                if (!Float.isFinite(host[r][i])) {
                    NonFiniteException e = new NonFiniteException(r, i / cols, i % cols, host[r][i]);
                    throw new NonFiniteValuesException("layer " + layer + " " + site.id() + " all-reduce: "
                            + e.getMessage() + " (the model produced NaN/Inf before communication)");
                }
            }
        }
    }

    /**
     * Applies {@code cast} to one partial (the kernel's fp16 conversion only when compressed); returns the elements
     * that were above 65504 in magnitude at a conversion to fp16.
     */
    static long castInPlace(float[] x, CommCast cast, boolean compress) {
        boolean bf16 = cast.dtype() == CommCast.Dtype.BF16;
        boolean toFp16 = cast.dtype() == CommCast.Dtype.FP16 || (compress && cast.toFp16());
        boolean inf = cast.overflow() == CommCast.Overflow.INF;
        long overflows = 0;
        for (int i = 0; i < x.length; i++) {
            float v = bf16 ? Half.rbf16(x[i]) : x[i];
            if (toFp16) {
                if (Math.abs(v) > FP16_MAX) {
                    overflows++;
                }
                v = inf ? Half.r16Inf(v) : Half.r16(v);
            }
            x[i] = v;
        }
        return overflows;
    }
}
