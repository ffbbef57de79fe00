package dev.flashcomm.tp.kernels;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.tp.Scalars;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * libtorch operations reached through a TorchScript module written here (see {@link TorchScriptArchive}) and
 * compiled by libtorch at load time: fused causal attention, {@code torch.scaled_dot_product_attention}, which DJL
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
    }

    /**
     * TorchScript source. {@code causal_attention}: the fused core; {@code enable_gqa} lets k/v carry fewer heads
     * than q (heads a multiple of them). {@code attention_partial} and {@code mlp_partial}: one rank's share of a
     * decoder layer, the same ops as {@code RankLayer}'s (RMSNorm statistics in fp32, rotate-half RoPE, SiLU as
     * {@code g·sigmoid(g)}), issued by libtorch's interpreter instead of one JNI call each: at TP 4 a layer is
     * some 150 small ops, and issuing them from Java kept the GPU waiting.
     */
    static String source(LayerFeatures f) {
        String self = "self: __torch__." + CLASS_NAME;
        return String.join("\n",
                "class " + CLASS_NAME + "(Module):",
                "  __parameters__ = []",
                "  __buffers__ = []",
                "  training : bool",
                "  def causal_attention(" + self + ", q: Tensor, k: Tensor, v: Tensor) -> Tensor:",
                "    return torch.scaled_dot_product_attention(q, k, v, None, 0., True, scale=None, enable_gqa=True)",
                "  def rms_norm(" + self + ", x: Tensor, w: Tensor, eps: float) -> Tensor:",
                "    wide = x.float()",
                "    ms = torch.mean(torch.square(wide), [-1], True)",
                "    return torch.mul(torch.div(wide, torch.sqrt(torch.add(ms, eps))).to(x.dtype), w)",
                "  def residual(" + self + ", x: Tensor, y: Tensor, maxima: Tensor, slot: int) -> Tensor:",
                "    h = torch.add(x, y)",
                "    maxima[slot] = torch.max(torch.abs(h)).float()",
                "    return h",
                "  def residual_norm(" + self + ", x: Tensor, y: Tensor, w: Tensor, eps: float, maxima: Tensor, "
                        + "slot: int) -> Tuple[Tensor, Tensor]:",
                "    h = self.residual(x, y, maxima, slot)",
                "    return (h, self.rms_norm(h, w, eps))",
                "  def rotate(" + self + ", x: Tensor, cos: Tensor, sin: Tensor, half: int) -> Tensor:",
                "    x1 = x[:, :, :, 0:half]",
                "    x2 = x[:, :, :, half:]",
                "    return torch.add(torch.mul(x, cos), torch.mul(torch.cat([torch.neg(x2), x1], -1), sin))",
                qkvProjection("attention_partial", self, f, "wo: Tensor) -> Tensor:"),
                "    k = self.rotate(torch.transpose(k, 1, 2), cos, sin, half)",
                "    v = torch.transpose(v, 1, 2)",
                "    c = torch.scaled_dot_product_attention(q, k, v, None, 0., True, scale=None, enable_gqa=True)",
                "    return torch.matmul(torch.reshape(torch.transpose(c, 1, 2), [b, n, qw]), wo)",
                "  def masked_attention(" + self + ", q: Tensor, k: Tensor, v: Tensor, mask: Tensor) -> Tensor:",
                "    return torch.scaled_dot_product_attention(q, k, v, mask, 0., False, scale=None, enable_gqa=True)",
                qkvProjection("attention_cached", self, f,
                        "wo: Tensor, k_cache: Tensor, v_cache: Tensor, offset: int, mask: Tensor) -> Tensor:"),
                "    k_cache[:, :, offset:offset + n] = self.rotate(torch.transpose(k, 1, 2), cos, sin, half)",
                "    v_cache[:, :, offset:offset + n] = torch.transpose(v, 1, 2)",
                "    total = offset + n",
                "    c = torch.scaled_dot_product_attention(q, k_cache[:, :, 0:total], v_cache[:, :, 0:total], mask, "
                        + "0., False, scale=None, enable_gqa=True)",
                "    return torch.matmul(torch.reshape(torch.transpose(c, 1, 2), [b, n, qw]), wo)",
                "  def r16(" + self + ", x: Tensor) -> Tensor:",
                "    return torch.clamp(x, -65504., 65504.).half().float()",
                "  def quantize_asym(" + self + ", x: Tensor, qmax: Tensor, qmax_f: float)"
                        + " -> Tuple[Tensor, Tensor, Tensor]:",
                "    lo, hi = torch.aminmax(x, dim=1, keepdim=True)",
                "    mn = self.r16(lo)",
                "    s = self.r16(torch.div(torch.sub(hi, mn), qmax))",
                "    s = torch.add(s, torch.eq(s, 0.).float())",
                "    levels = torch.round(torch.clamp(torch.div(torch.sub(x, mn), s), 0., qmax_f))",
                "    return (levels, s, mn)",
                "  def qdq_asym(" + self + ", x: Tensor, qmax: Tensor, qmax_f: float) -> Tensor:",
                "    levels, s, mn = self.quantize_asym(x, qmax, qmax_f)",
                "    return torch.add(torch.mul(levels, s), torch.add(mn, 0.))",
                "  def quantize_sym(" + self + ", x: Tensor, qmax: Tensor, qmax_f: float) -> Tuple[Tensor, Tensor]:",
                "    a = self.r16(torch.div(torch.amax(torch.abs(x), [1], True), qmax))",
                "    a = torch.add(a, torch.eq(a, 0.).float())",
                "    levels = torch.add(torch.round(torch.clamp(torch.div(x, a), -qmax_f, qmax_f)), 0.)",
                "    return (levels, a)",
                "  def qdq_sym(" + self + ", x: Tensor, qmax: Tensor, qmax_f: float) -> Tensor:",
                "    levels, a = self.quantize_sym(x, qmax, qmax_f)",
                "    return torch.mul(levels, a)",
                "  def qdq_any(" + self + ", x: Tensor, sym: bool, qmax: Tensor, qmax_f: float) -> Tensor:",
                "    if sym:",
                "      return self.qdq_sym(x, qmax, qmax_f)",
                "    else:",
                "      return self.qdq_asym(x, qmax, qmax_f)",
                "  def flash_fake(" + self + ", parts: List[Tensor], length: int, rs_sym: bool, rs_qmax: Tensor, "
                        + "rs_qmax_f: float, ag_sym: bool, ag_qmax: Tensor, ag_qmax_f: float) -> Tensor:",
                "    rows = parts[0].size(0)",
                "    cols = parts[0].size(1)",
                "    q = self.qdq_any(torch.reshape(torch.cat(parts, 0), [-1, length]), rs_sym, rs_qmax, rs_qmax_f)",
                "    per = rows * cols // length",
                "    s = q[0:per]",
                "    for r in range(1, len(parts)):",
                "      s = torch.add(s, q[r * per:(r + 1) * per])",
                "    return torch.reshape(self.qdq_any(s, ag_sym, ag_qmax, ag_qmax_f), [rows, cols])",
                "  def pack_bits(" + self + ", codes: Tensor, bits: int) -> Tensor:",
                "    n = codes.size(0)",
                "    length = codes.size(1)",
                "    per = 8 // bits",
                "    nbytes = (length * bits + 7) // 8",
                "    c = codes.byte()",
                "    pad = nbytes * per - length",
                "    if pad > 0:",
                "      c = torch.cat([c, c.new_zeros([n, pad])], 1)",
                "    c = torch.reshape(c, [n, nbytes, per])",
                "    out = c[:, :, 0]",
                "    for i in range(1, per):",
                "      out = torch.bitwise_or(out, torch.bitwise_left_shift(c[:, :, i], bits * i))",
                "    return out.contiguous()",
                "  def unpack_bits(" + self + ", packed: Tensor, bits: int, length: int) -> Tensor:",
                "    n = packed.size(0)",
                "    per = 8 // bits",
                "    mask = (1 << bits) - 1",
                "    parts: List[Tensor] = []",
                "    for i in range(per):",
                "      parts.append(torch.bitwise_and(torch.bitwise_right_shift(packed, bits * i), mask))",
                "    codes = torch.reshape(torch.stack(parts, 2), [n, -1])",
                "    return codes[:, 0:length].float()",
                "  def pack_groups(" + self + ", x: Tensor, bits: int, sym: bool, qmax: Tensor, qmax_f: float)"
                        + " -> Tuple[Tensor, Tensor, Tensor]:",
                "    if sym:",
                "      levels, a = self.quantize_sym(x, qmax, qmax_f)",
                "      none = a.new_zeros([0]).half()",
                "      return (self.pack_bits(torch.add(levels, qmax), bits), a.half(), none)",
                "    else:",
                "      levels, s, mn = self.quantize_asym(x, qmax, qmax_f)",
                "      return (self.pack_bits(levels, bits), s.half(), mn.half())",
                "  def unpack_groups(" + self + ", codes: Tensor, scale: Tensor, mn: Tensor, bits: int, sym: bool, "
                        + "qmax: Tensor, length: int) -> Tensor:",
                "    c = self.unpack_bits(codes, bits, length)",
                "    if sym:",
                "      return torch.mul(torch.sub(c, qmax), scale.float())",
                "    else:",
                "      return torch.add(torch.mul(c, scale.float()), mn.float())",
                "  def flash_packed(" + self + ", parts: List[Tensor], length: int, rs_bits: int, rs_sym: bool, "
                        + "rs_qmax: Tensor, rs_qmax_f: float, ag_bits: int, ag_sym: bool, ag_qmax: Tensor, "
                        + "ag_qmax_f: float) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:",
                "    rows = parts[0].size(0)",
                "    cols = parts[0].size(1)",
                "    x = torch.reshape(torch.cat(parts, 0), [-1, length])",
                "    c1, s1, m1 = self.pack_groups(x, rs_bits, rs_sym, rs_qmax, rs_qmax_f)",
                "    d = self.unpack_groups(c1, s1, m1, rs_bits, rs_sym, rs_qmax, length)",
                "    per = rows * cols // length",
                "    s = d[0:per]",
                "    for r in range(1, len(parts)):",
                "      s = torch.add(s, d[r * per:(r + 1) * per])",
                "    c2, s2, m2 = self.pack_groups(s, ag_bits, ag_sym, ag_qmax, ag_qmax_f)",
                "    out = self.unpack_groups(c2, s2, m2, ag_bits, ag_sym, ag_qmax, length)",
                "    return (torch.reshape(out, [rows, cols]), c1, s1, m1, c2, s2, m2)",
                "  def mlp_partial(" + self + ", xn: Tensor, w_gate_up: Tensor, "
                        + (f.mlpBias() ? "b_gate_up: Tensor, " : "") + "columns: int, w_down: Tensor) -> Tensor:",
                "    gu = torch.matmul(xn, w_gate_up)",
                f.mlpBias() ? "    gu = torch.add(gu, b_gate_up)" : "    pass",
                "    gate = gu[..., 0:columns]",
                "    up = gu[..., columns:]",
                "    return torch.matmul(torch.mul(torch.mul(gate, torch.sigmoid(gate)), up), w_down)",
                "");
    }

    /**
     * The head of {@code attention_partial} and {@code attention_cached}, written once: the signature up to
     * {@code tail} (the parameters after {@code head_dim}) and the QKV projection with its bias, the q/k norms,
     * and rotary on q (each method places its rotated k and its v itself).
     */
    private static String qkvProjection(String name, String self, LayerFeatures f, String tail) {
        return String.join("\n",
                "  def " + name + "(" + self + ", xn: Tensor, w_qkv: Tensor, "
                        + (f.qkvBias() ? "b_qkv: Tensor, " : "")
                        + (f.qkNorm() ? "q_norm: Tensor, k_norm: Tensor, " : "")
                        + "eps: float, cos: Tensor, sin: Tensor, heads: int, kv_heads: int, head_dim: int, "
                        + tail,
                "    b = xn.size(0)",
                "    n = xn.size(1)",
                "    qkv = torch.matmul(xn, w_qkv)",
                f.qkvBias() ? "    qkv = torch.add(qkv, b_qkv)" : "    pass",
                "    qw = heads * head_dim",
                "    kw = kv_heads * head_dim",
                "    q = torch.reshape(qkv[:, :, 0:qw], [b, n, heads, head_dim])",
                "    k = torch.reshape(qkv[:, :, qw:qw + kw], [b, n, kv_heads, head_dim])",
                "    v = torch.reshape(qkv[:, :, qw + kw:qw + 2 * kw], [b, n, kv_heads, head_dim])",
                f.qkNorm() ? "    q = self.rms_norm(q, q_norm, eps)" : "    pass",
                f.qkNorm() ? "    k = self.rms_norm(k, k_norm, eps)" : "    pass",
                "    half = head_dim // 2",
                "    q = self.rotate(torch.transpose(q, 1, 2), cos, sin, half)");
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

    /** The arguments {@link #qkvProjection}'s signature takes, in order: the optional ones only with their feature. */
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

    /** A {@code List[Tensor]} argument. */
    private record ListArg(PtNDArray[] arrays) {
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
        throw new IllegalArgumentException("no TorchScript value for " + arg);
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
