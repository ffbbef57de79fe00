package dev.flashcomm.tp.comm.engine;

import dev.flashcomm.tp.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.quant.GroupQuantizer;
import dev.flashcomm.quant.QuantSpec;
import dev.flashcomm.tp.kernels.FusedKernels;
import dev.flashcomm.tp.kernels.SharedKernels;

/**
 * {@link GroupQuantizer} on engine arrays, bit-identical to it: fake quantization ({@link #qdq}) and packed
 * buffers ({@link #pack} / {@link #unpack}) of a group matrix {@code [n, len]} (one group per row, fp32).
 *
 * <p>Per group, as the doc and GroupQuantizer do it, each step a separate fp32 op (never fused): asymmetric
 * {@code mn = R16(min x)}, {@code s = R16((max x - mn) / qmax)} (1 if 0), {@code q = clamp(rint((x - mn) / s), 0,
 * qmax)}, {@code x' = q*s + mn}; symmetric {@code a = R16(max|x| / qmax)} (1 if 0),
 * {@code q = clamp(rint(x / a), -qmax, qmax)}, {@code x' = q*a}. Division is by tensors on the array's device
 * (PyTorch CUDA turns division by a CPU scalar into multiplication by its reciprocal, which is not the same fp32
 * result). {@code rint} is {@code NDArray.round()}, torch.round, half to even. The sign of zero: a level can be -0
 * ({@code rint(-0.3)} when symmetric; {@code -0 / s} or an underflowing {@code (x - mn) / s} when asymmetric), where
 * the host's integer levels are +0. Symmetric levels get {@code + 0}, which maps -0 to +0 and changes nothing else.
 * Asymmetric ones need no pass over the data: a -0 level decodes to {@code -0·s + mn}, which is mn unless mn is
 * ±0, so the fake path adds {@code mn + 0} (never -0; a {@code [n, 1]} op) and gets the host's +0; packed codes
 * are unsigned bytes anyway, and decode with the stored mn as the host does. Which of ±0 the per-group min/max
 * picks does not change any value.
 *
 * <p>NaN and Inf are not rejected here (the model checks each layer's output): a NaN makes its group's min/max, and
 * so its whole group, NaN; an infinity saturates the group's scale at 65504 (R16's clamp), so the group decodes to
 * finite but meaningless values. Packed codes of a NaN group are undefined, its scale NaN, so it decodes to NaN too.
 *
 * <p>Stateless apart from the spec; all arrays are the caller's (see {@link Workspace}).
 */
public final class EngineGroupQuantizer {

    private final QuantSpec spec;
    private final boolean symmetric;
    private final float qmax;
    private final EngineBitPacker packer;
    private final FusedKernels kernels;

    /** A quantizer that uses the shared fused kernels when libtorch has them. */
    public EngineGroupQuantizer(QuantSpec spec) {
        this(spec, SharedKernels.orNull());
    }

    /**
     * @param kernels the fused kernels to run {@link #qdq} and {@link #pack}'s quantization with, or null for the
     *                DJL ops (tests compare the two)
     */
    public EngineGroupQuantizer(QuantSpec spec, FusedKernels kernels) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        this.spec = spec;
        this.symmetric = spec.symmetric();
        this.qmax = spec.qmax();
        this.packer = new EngineBitPacker(spec.bits());
        this.kernels = kernels;
    }

    public QuantSpec spec() {
        return spec;
    }

    /**
     * {@code QDQ(x)} for every group (row) of {@code groups}: by the fused kernel (the same ops, fewer passes over
     * the data; see {@link FusedKernels#qdq}) when there is one, else by the DJL ops below.
     */
    public NDArray qdq(NDArray groups) {
        if (kernels != null) {
            return kernels.qdq(groups, symmetric, (int) qmax);
        }
        Params p = params(groups);
        return dequantize(levels(groups, p), p);
    }

    /** The packed buffers of every group of {@code groups}; codes are levels, offset by qmax when symmetric. */
    public PackedPiece pack(NDArray groups) {
        Params p;
        NDArray levels;
        if (kernels != null) {
            NDArray[] q = kernels.quantize(groups, symmetric, (int) qmax);
            levels = q[0];
            p = new Params(q[1], q[2]);
        } else {
            p = params(groups);
            levels = levels(groups, p);
        }
        NDArray codes = symmetric ? levels.add(Scalars.of(levels, qmax)) : levels;
        int length = Math.toIntExact(groups.getShape().get(1));
        return new PackedPiece(packer.pack(codes), p.scale.toType(DataType.FLOAT16, false),
                symmetric ? null : p.min.toType(DataType.FLOAT16, false), length);
    }

    /** The fp32 group matrix a packed piece decodes to: the fake path's {@code x'} exactly. */
    public NDArray unpack(PackedPiece piece) {
        NDArray codes = packer.unpack(piece.codes(), piece.length());
        NDArray scale = piece.scale().toType(DataType.FLOAT32, false);
        if (symmetric) {
            // code - qmax is an exact integer, +0 for the zero level, as the host's int subtraction gives
            return codes.sub(Scalars.of(codes, qmax)).mul(scale);
        }
        return codes.mul(scale).add(piece.min().toType(DataType.FLOAT32, false));
    }

    /** A group's fp16-valued scale and (asymmetric) min, as fp32 {@code [n, 1]}. */
    private record Params(NDArray scale, NDArray min) {
    }

    private Params params(NDArray groups) {
        NDArray qmaxT = Scalars.of(groups, qmax, DataType.FLOAT32);
        int[] axis = {1};
        if (symmetric) {
            NDArray a = EngineRounding.r16(groups.abs().max(axis, true).div(qmaxT));
            return new Params(oneIfZero(a), null);
        }
        NDArray mn = EngineRounding.r16(groups.min(axis, true));
        NDArray s = EngineRounding.r16(groups.max(axis, true).sub(mn).div(qmaxT));
        return new Params(oneIfZero(s), mn);
    }

    /** {@code s == 0 ? 1 : s} (either zero), as {@code s + (s == 0)}: exact, and no broadcast constant needed. */
    private static NDArray oneIfZero(NDArray s) {
        return s.add(s.eq(Scalars.of(s, 0)).toType(DataType.FLOAT32, false));
    }

    /** Integer-valued fp32 levels; symmetric ones never -0, asymmetric ones possibly -0 (see the class comment). */
    private NDArray levels(NDArray groups, Params p) {
        NDArray scaled = symmetric ? groups.div(p.scale) : groups.sub(p.min).div(p.scale);
        // clamping before rounding is the same as after (integer bounds)
        NDArray clipped = scaled.maximum(Scalars.of(scaled, symmetric ? -qmax : 0)).minimum(Scalars.of(scaled, qmax));
        NDArray rounded = clipped.round();
        return symmetric ? rounded.add(Scalars.of(scaled, 0)) : rounded;
    }

    private NDArray dequantize(NDArray levels, Params p) {
        NDArray scaled = levels.mul(p.scale);
        return symmetric ? scaled : scaled.add(p.min.add(Scalars.of(p.min, 0)));
    }
}
