package dev.flashcomm.tp.kernels;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.flashcomm.tp.Scalars;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * libtorch operations reached through a TorchScript module written in a resource next to this class ({@link
 * #TEMPLATE}, rendered for the model's {@link LayerFeatures}), archived by {@link TorchScriptArchive} and compiled
 * by libtorch at load time: fused causal attention, {@code torch.scaled_dot_product_attention}, which DJL
 * 0.36 has no binding for (on a GPU it runs FlashAttention and never materializes the {@code [B, heads, L, L]}
 * scores, about a third of an 8B model's forward time at 2048 tokens when done as matmul, mask, softmax, matmul),
 * and a rank's attention and MLP partials as single calls.
 *
 * <p>Every call runs with TorchScript's graph optimizer off: the methods are single library calls, so there is
 * nothing to fuse, and the profiling executor would otherwise run the first calls differently from later ones.
 */
public final class FusedKernels implements AutoCloseable {

    static final String CLASS_NAME = "FlashcommKernels";

    /**
     * {@code -Dflashcomm.fused=auto|true|false}. {@code auto} (the default): the quantizers everywhere, the model's
     * layers on GPUs only (on a CPU, libtorch's fused attention and the interpreted layer calls measured slower than
     * the DJL ops for small models); {@code true}: everywhere; {@code false}: nowhere, every op a DJL call and
     * attention the explicit core, the escape hatch should a libtorch build compile the kernels wrongly and the A/B
     * for benchmarks.
     */
    public static final String ENABLED_PROPERTY = "flashcomm.fused";

    /** Whether {@link #ENABLED_PROPERTY} leaves the fused kernels on at all. */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "auto"));
    }

    /** Whether the model's layers on a device of {@code deviceType} ("cpu", "gpu") run fused. */
    public static boolean enabledForLayersOn(String deviceType) {
        String mode = System.getProperty(ENABLED_PROPERTY, "auto");
        if ("true".equalsIgnoreCase(mode)) {
            return true;
        }
        return !"false".equalsIgnoreCase(mode) && !"cpu".equals(deviceType);
    }

    /**
     * The layer parts a model has, which decide the methods' signatures: TorchScript could take {@code
     * Optional[Tensor]}, but DJL cannot pass None, so the source is written for the model at hand.
     */
    public record LayerFeatures(boolean qkvBias, boolean qkNorm, boolean mlpBias) {
        /** No biases, no q/k norms (what {@link #causalAttention} alone needs). */
        public static final LayerFeatures PLAIN = new LayerFeatures(false, false, false);

        /** The names of {@link FusedKernels#TEMPLATE}'s sections, one per feature, as its parameters are named. */
        static final Set<String> FLAGS = Set.of("qkv_bias", "qk_norm", "mlp_bias");

        /** The sections of {@link FusedKernels#TEMPLATE} this model keeps. */
        Set<String> flags() {
            Set<String> on = new HashSet<>();
            if (qkvBias) {
                on.add("qkv_bias");
            }
            if (qkNorm) {
                on.add("qk_norm");
            }
            if (mlpBias) {
                on.add("mlp_bias");
            }
            return on;
        }
    }

    /**
     * The TorchScript source, a resource next to this class: the module's methods, with why-comments, and sections
     * kept or dropped by the {@link LayerFeatures} (see {@link ScriptTemplate}).
     */
    static final String TEMPLATE = "flashcomm_kernels.py.template";

    /** Parsed on first use; see {@link #template()}. */
    private static ScriptTemplate template;

    /** The TorchScript source for a model with {@code f}: {@link #TEMPLATE} rendered with f's sections. */
    static String source(LayerFeatures f) {
        return template().render(f.flags());
    }

    /**
     * {@link #TEMPLATE}, read from the classpath once. Not in a static initializer: there a missing resource would
     * surface as an {@code ExceptionInInitializerError} once and a bare {@code NoClassDefFoundError} afterwards,
     * instead of its {@link IllegalStateException} every time.
     */
    private static synchronized ScriptTemplate template() {
        if (template == null) {
            template = ScriptTemplate.load(FusedKernels.class, TEMPLATE, LayerFeatures.FLAGS);
        }
        return template;
    }

    private final NDManager manager;
    private final PtSymbolBlock module;

    private final LayerFeatures features;

    private FusedKernels(NDManager manager, PtSymbolBlock module, LayerFeatures features) {
        this.manager = manager;
        this.module = module;
        this.features = features;
    }

    public LayerFeatures features() {
        return features;
    }

    /**
     * Compiles the module under a sub-manager of {@code parent} (closed with this object).
     *
     * @throws UnsupportedOperationException when the engine is not PyTorch or libtorch cannot compile the module
     *                                       (callers fall back to unfused operations)
     * @throws IllegalStateException         when {@link #TEMPLATE} is missing or malformed: a fault of the build,
     *                                       not of libtorch, so no fallback hides it
     */
    public static FusedKernels load(NDManager parent) {
        return load(parent, LayerFeatures.PLAIN);
    }

    /** As {@link #load(NDManager)}, with the layer methods written for a model with {@code features}. */
    public static FusedKernels load(NDManager parent, LayerFeatures features) {
        NDManager m = parent.newSubManager();
        try {
            if (!(m instanceof PtNDManager)) {
                throw new UnsupportedOperationException("fused kernels need the PyTorch engine, not "
                        + m.getEngine().getEngineName());
            }
            byte[] archive = TorchScriptArchive.of(CLASS_NAME, source(features));
            PtSymbolBlock block = JniUtils.loadModule((PtNDManager) m, new ByteArrayInputStream(archive), true,
                    false);
            return new FusedKernels(m, block, features);
        } catch (IOException e) {
            m.close();
            throw new UncheckedIOException(e);
        } catch (EngineException | UnsupportedOperationException e) {
            m.close();
            throw new UnsupportedOperationException("libtorch could not compile the fused kernels: "
                    + String.valueOf(e.getMessage()).strip(), e);
        }
    }

    /**
     * {@code softmax(q·kᵀ/sqrt(d) + causal mask)·v}, with query head i using k/v head
     * {@code i / (heads / kvHeads)}.
     *
     * @param q {@code [B, heads, L, d]}
     * @param k {@code [B, kvHeads, L, d]}, heads a multiple of kvHeads
     * @param v as k
     * @return {@code [B, heads, L, d]} in q's dtype, owned by q's manager
     */
    public NDArray causalAttention(NDArray q, NDArray k, NDArray v) {
        return run("causal_attention", q.getManager(), q, k, v);
    }

    /**
     * One rank's attention partial {@code [B, L, H]} (see {@code RankLayer.attentionPartial}): weights
     * {@code [in, out]}; {@code bQkv} only with {@link LayerFeatures#qkvBias}, the norms only with
     * {@link LayerFeatures#qkNorm} (ignored otherwise); heads a multiple of kvHeads. Owned by xn's manager.
     */
    public NDArray attentionPartial(NDArray xn, NDArray wQkv, NDArray bQkv, NDArray qNorm, NDArray kNorm, double eps,
                                    NDArray cos, NDArray sin, int heads, int kvHeads, int headDim, NDArray wo) {
        List<Object> args = attentionArgs(xn, wQkv, bQkv, qNorm, kNorm, eps, cos, sin, heads, kvHeads, headDim, wo);
        return run("attention_partial", xn.getManager(), args.toArray());
    }

    /**
     * {@code RmsNorm} as one call: the statistics in fp32, the result in x's dtype times {@code w}, the same ops as
     * the DJL ones. Owned by x's manager.
     */
    public NDArray rmsNorm(NDArray x, NDArray w, double eps) {
        return run("rms_norm", x.getManager(), x, w, eps);
    }

    /**
     * {@code h = x + y}, with {@code max|h|} written into {@code maxima[slot]} (fp32; the model's Inf/NaN watch),
     * as one call. Owned by x's manager.
     */
    public NDArray residual(NDArray x, NDArray y, NDArray maxima, int slot) {
        return run("residual", x.getManager(), x, y, maxima, (long) slot);
    }

    /** {@link #residual} and then {@link #rmsNorm} of its result, as one call: {@code {h, rmsNorm(h)}}. */
    public NDArray[] residualNorm(NDArray x, NDArray y, NDArray w, double eps, NDArray maxima, int slot) {
        return runTuple("residual_norm", x.getManager(), x, y, w, eps, maxima, (long) slot);
    }

    /**
     * {@code softmax(q·kᵀ/sqrt(d) + mask)·v} with an additive mask broadcast over heads (an incremental decode's
     * queries against its cache); k/v heads as in {@link #causalAttention}.
     *
     * @param mask {@code [B, 1, n, T]} in q's dtype
     */
    public NDArray maskedAttention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        return run("masked_attention", q.getManager(), q, k, v, mask);
    }

    /**
     * One rank's attention partial for new positions of an incremental decode (see
     * {@code RankLayer.attentionPartialCached}): writes their keys and values into {@code kCache} / {@code vCache}
     * {@code [B, kvHeads, capacity, d]} at {@code offset}, in place, and attends over slots {@code [0, offset + n)}
     * under {@code mask}. Owned by xn's manager.
     */
    public NDArray attentionCached(NDArray xn, NDArray wQkv, NDArray bQkv, NDArray qNorm, NDArray kNorm, double eps,
                                   NDArray cos, NDArray sin, int heads, int kvHeads, int headDim, NDArray wo,
                                   NDArray kCache, NDArray vCache, int offset, NDArray mask) {
        List<Object> args = attentionArgs(xn, wQkv, bQkv, qNorm, kNorm, eps, cos, sin, heads, kvHeads, headDim, wo);
        args.addAll(List.of(kCache, vCache, (long) offset, mask));
        return run("attention_cached", xn.getManager(), args.toArray());
    }

    /**
     * The arguments of {@code attention_partial} and {@code attention_cached} up to {@code wo}, their shared head,
     * in order: the optional ones only with their feature, as {@link #TEMPLATE}'s signatures take them.
     */
    private List<Object> attentionArgs(NDArray xn, NDArray wQkv, NDArray bQkv, NDArray qNorm, NDArray kNorm,
                                       double eps, NDArray cos, NDArray sin, int heads, int kvHeads, int headDim,
                                       NDArray wo) {
        List<Object> args = new ArrayList<>(List.of(xn, wQkv));
        if (features.qkvBias()) {
            args.add(bQkv);
        }
        if (features.qkNorm()) {
            args.add(qNorm);
            args.add(kNorm);
        }
        args.addAll(List.of(eps, cos, sin, (long) heads, (long) kvHeads, (long) headDim, wo));
        return args;
    }

    /** One rank's MLP partial {@code [.., H]} (any leading shape): {@code bGateUp} only with {@link LayerFeatures#mlpBias}. */
    public NDArray mlpPartial(NDArray xn, NDArray wGateUp, NDArray bGateUp, int columns, NDArray wDown) {
        Object[] args = features.mlpBias() ? new Object[] {xn, wGateUp, bGateUp, (long) columns, wDown}
                : new Object[] {xn, wGateUp, (long) columns, wDown};
        return run("mlp_partial", xn.getManager(), args);
    }

    /**
     * {@code EngineGroupQuantizer}'s fake quantization of every group (row) of fp32 {@code groups}, bit for bit:
     * the same fp32 ops in the same order, with the clamp of both bounds as one op, both extremes from one
     * reduction, and division by a 0-d tensor on the data's device (division by a scalar would become
     * multiplication by its reciprocal on CUDA).
     */
    public NDArray qdq(NDArray groups, boolean symmetric, int qmax) {
        return run(symmetric ? "qdq_sym" : "qdq_asym", groups.getManager(), groups,
                Scalars.of(groups, qmax, DataType.FLOAT32), (double) qmax);
    }

    /**
     * The integer-valued fp32 levels of every group with their scales {@code [n, 1]} and (asymmetric) mins,
     * as {@code {levels, scale, min}}; min is null when symmetric. Asymmetric levels may be -0 (see
     * {@code EngineGroupQuantizer}); symmetric ones never are.
     */
    public NDArray[] quantize(NDArray groups, boolean symmetric, int qmax) {
        NDArray[] out = runTuple(symmetric ? "quantize_sym" : "quantize_asym", groups.getManager(), groups,
                Scalars.of(groups, qmax, DataType.FLOAT32), (double) qmax);
        return symmetric ? new NDArray[] {out[0], out[1], null} : out;
    }

    /**
     * {@code EngineFlashFakeAllReduce}'s stacked path as one call, bit for bit: fp32 partials {@code [rows, cols]}
     * on one device, whose rows split into whole groups of {@code length} (no short tail group), stacked and
     * fake-quantized with the rs parameters, summed in rank order, fake-quantized with the ag parameters.
     */
    public NDArray flashFake(List<NDArray> parts, int length, boolean rsSymmetric, int rsQmax, boolean agSymmetric,
                             int agQmax) {
        NDArray first = parts.get(0);
        PtNDArray[] list = parts.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new);
        return run("flash_fake", first.getManager(), new ListArg(list), (long) length, rsSymmetric,
                Scalars.of(first, rsQmax, DataType.FLOAT32), (double) rsQmax, agSymmetric,
                Scalars.of(first, agQmax, DataType.FLOAT32), (double) agQmax);
    }

    /**
     * {@code EngineFlashPackedAllReduce}'s one-device path as one call, bit for bit, for plain integer codes whose
     * width divides 8 (codes packed LSB-first with shifts and ors, which DJL lacks): the stacked partials packed
     * with the rs parameters, decoded, summed in rank order in fp32, packed with the ag parameters and decoded.
     *
     * @return {@code {sum [rows, cols], rs codes, rs scales (fp16), rs mins (fp16; empty when symmetric), ag codes,
     *         ag scales, ag mins}}: the buffers that travel, for counting their bytes
     */
    public NDArray[] flashPacked(List<NDArray> parts, int length, int rsBits, boolean rsSymmetric, int rsQmax,
                                 int agBits, boolean agSymmetric, int agQmax) {
        NDArray first = parts.get(0);
        PtNDArray[] list = parts.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new);
        return runTuple("flash_packed", first.getManager(), new ListArg(list), (long) length, (long) rsBits,
                rsSymmetric, Scalars.of(first, rsQmax, DataType.FLOAT32), (double) rsQmax, (long) agBits,
                agSymmetric, Scalars.of(first, agQmax, DataType.FLOAT32), (double) agQmax);
    }

    /**
     * One rank's routed-expert output {@code [T, H]} over tokens grouped by expert: {@code rows [P]} the token of each
     * expert-ordered row, {@code weights [P, 1]} its routing weight, {@code positions [T·k]} where each (token, slot)
     * pair sits among the rows, {@code counts[e]} the rows of expert e, and each expert's {@code [H, 2c]} gate/up and
     * {@code [c, H]} down shard. The same ops, in the same order, as the per-expert calls it replaces.
     */
    public NDArray moeExperts(NDArray x, NDArray rows, NDArray weights, NDArray positions, int[] counts,
                              NDArray[] wGateUp, NDArray[] wDown, int topK) {
        long[] n = new long[counts.length];
        for (int e = 0; e < n.length; e++) {
            n[e] = counts[e];
        }
        PtNDArray[] gu = new PtNDArray[wGateUp.length];
        PtNDArray[] down = new PtNDArray[wDown.length];
        for (int e = 0; e < gu.length; e++) {
            gu[e] = (PtNDArray) wGateUp[e];
            down[e] = (PtNDArray) wDown[e];
        }
        return run("moe_experts", x.getManager(), x, rows, weights, positions, new LongListArg(n), new ListArg(gu),
                new ListArg(down), (long) topK);
    }

    /**
     * Experts over rows grouped by expert: {@code counts[e]} consecutive rows of {@code xs} through expert e's
     * SiLU-gated MLP ({@code [H, 2c]} gate/up, {@code [c, H]} down), the outputs in the rows' order. At least one
     * count must be positive.
     */
    public NDArray expertRows(NDArray xs, int[] counts, NDArray[] wGateUp, NDArray[] wDown) {
        long[] n = new long[counts.length];
        PtNDArray[] gu = new PtNDArray[wGateUp.length];
        PtNDArray[] down = new PtNDArray[wDown.length];
        for (int e = 0; e < n.length; e++) {
            n[e] = counts[e];
            gu[e] = (PtNDArray) wGateUp[e];
            down[e] = (PtNDArray) wDown[e];
        }
        return run("expert_rows", xs.getManager(), xs, new LongListArg(n), new ListArg(gu), new ListArg(down));
    }

    /**
     * {@code x} rounded to nearest-even bf16, as fp32: libtorch's conversion, the same bits as {@code Half.rbf16} for
     * every non-NaN value.
     */
    public NDArray rbf16(NDArray x) {
        return run("rbf16", x.getManager(), x);
    }

    /** A {@code List[Tensor]} argument. */
    private record ListArg(PtNDArray[] arrays) {
    }

    /** A {@code List[int]} argument. */
    private record LongListArg(long[] values) {
    }

    /** Runs a method on arrays, doubles and longs; the result is owned by {@code owner}. */
    private NDArray run(String method, NDManager owner, Object... args) {
        return invoke(method, args, out -> out.toTensor((PtNDManager) owner));
    }

    private NDArray[] runTuple(String method, NDManager owner, Object... args) {
        return invoke(method, args, out -> {
            IValue[] items = out.toIValueTuple();
            NDArray[] arrays = new NDArray[items.length];
            for (int i = 0; i < items.length; i++) {
                try (IValue item = items[i]) {
                    arrays[i] = item.toTensor((PtNDManager) owner);
                }
            }
            return arrays;
        });
    }

    private <T> T invoke(String method, Object[] args, java.util.function.Function<IValue, T> result) {
        JniUtils.setGraphExecutorOptimize(false); // thread-local in libtorch: set on the calling thread
        IValue[] in = new IValue[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                in[i] = toIValue(args[i]);
            }
            try (IValue out = IValueUtils.runMethod(module, method, in)) {
                return result.apply(out);
            }
        } finally {
            for (IValue v : in) {
                if (v != null) {
                    v.close();
                }
            }
        }
    }

    private static IValue toIValue(Object arg) {
        if (arg instanceof NDArray) {
            return IValue.from((PtNDArray) arg);
        }
        if (arg instanceof Double) {
            return IValue.from((double) (Double) arg);
        }
        if (arg instanceof Long) {
            return IValue.from((long) (Long) arg);
        }
        if (arg instanceof Boolean) {
            return IValue.from((boolean) (Boolean) arg);
        }
        if (arg instanceof ListArg) {
            return IValue.listFrom(((ListArg) arg).arrays());
        }
        if (arg instanceof LongListArg l) {
            return IValue.listFrom(l.values());
        }
        throw new IllegalArgumentException("no TorchScript value for " + arg);
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
