package dev.flashcomm.tp.comm.engine;

import dev.flashcomm.tp.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.ElementType;
import dev.flashcomm.quant.GroupQuantizer;
import dev.flashcomm.quant.QuantSpec;
import dev.flashcomm.quant.ScaleType;
import dev.flashcomm.tp.kernels.FusedKernels;
import dev.flashcomm.tp.kernels.SharedKernels;

/**
 * {@link GroupQuantizer} on engine arrays, bit-identical to it: fake quantization ({@link #qdq}) and packed
 * buffers ({@link #pack} / {@link #unpack}) of a group matrix {@code [n, len]} (one group per row, fp32).
 *
 * <p>Per group, as the doc and GroupQuantizer do it, each step a separate fp32 op (never fused): asymmetric
 * {@code mn = R16(min x)}, {@code s = R16((max x - mn) / qmax)} (1 if 0), {@code q = clamp(rint((x - mn) / s), 0,
 * qmax)}, {@code x' = q*s + mn}; symmetric {@code a = R16(max|x| / qmax)} (1 if 0),
 * {@code q = clamp(rint(x / a), -qmax, qmax)}, {@code x' = q*a}; float elements {@code s = round_scale(max|x| / fmax)}
 * (1 if 0), {@code x' = Q(clamp(x / s, ±fmax)) * s}, where Q rounds to the element's grid as
 * {@code rint(y / ulp) * ulp} with {@code ulp = 2^(max(floor(log2|y|), emin) - m)} (exact; see
 * {@link EnginePowers}). With spike reserving the statistics see each group's first max and first min replaced by
 * the first other element among positions 0..2 (0 when the group has at most two), and those two positions decode
 * to {@code R16(x)}; {@code argMax}/{@code argMin} return the first occurrence, as the host's scan does.
 *
 * <p>Division is by tensors on the array's device (PyTorch CUDA turns division by a CPU scalar into multiplication
 * by its reciprocal, which is not the same fp32 result); divisions by powers of two are exact either way.
 * {@code rint} is {@code NDArray.round()}, torch.round, half to even. The sign of zero: an integer level can be -0
 * ({@code rint(-0.3)} when symmetric; {@code -0 / s} or an underflowing {@code (x - mn) / s} when asymmetric), where
 * the host's integer levels are +0. Symmetric levels get {@code + 0}, which maps -0 to +0 and changes nothing else.
 * Asymmetric ones need no pass over the data: a -0 level decodes to {@code -0·s + mn}, which is mn unless mn is
 * ±0, so the fake path adds {@code mn + 0} (never -0; a {@code [n, 1]} op) and gets the host's +0; packed codes
 * are unsigned bytes anyway, and decode with the stored mn as the host does. A float element keeps its -0, as the
 * host's {@code Math.rint} does, and its code carries the sign bit, found as {@code 1 / y < 0}.
 *
 * <p>The plain integer formats (no spikes) run {@link #qdq} and {@link #pack}'s quantization as one fused kernel
 * when libtorch has it ({@link FusedKernels}, the same ops); float elements, other scale dtypes and spikes use the
 * DJL ops below.
 *
 * <p>NaN and Inf are not rejected here (the model checks each layer's output): a NaN makes its group's min/max, and
 * so its whole group, NaN; an infinity saturates the group's fp16 scale at 65504 (R16's clamp), so the group decodes
 * to finite but meaningless values (fp32 scales become Inf and the group NaN). Packed codes of a NaN group are
 * undefined.
 *
 * <p>Stateless apart from the spec; all arrays are the caller's (see {@link Workspace}).
 */
public final class EngineGroupQuantizer {

    private final QuantSpec spec;
    private final ElementType element;
    private final boolean symmetric;
    private final float qmax;
    private final EngineBitPacker packer;
    /** The fused kernels for plain integer formats, or null (DJL ops). */
    private final FusedKernels kernels;

    /** A quantizer that uses the shared fused kernels when libtorch has them (plain integer formats only). */
    public EngineGroupQuantizer(QuantSpec spec) {
        this(spec, SharedKernels.orNull());
    }

    /**
     * @param kernels the fused kernels to run {@link #qdq} and {@link #pack}'s quantization with, or null for the
     *                DJL ops (tests compare the two); ignored for float elements and spikes
     */
    public EngineGroupQuantizer(QuantSpec spec, FusedKernels kernels) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        this.spec = spec;
        this.element = spec.element();
        this.symmetric = spec.symmetric();
        this.qmax = element.isFloat() ? 0f : spec.qmax();
        this.packer = new EngineBitPacker(spec.bits());
        this.kernels = spec.element() == ElementType.INT && !spec.spikes() ? kernels : null;
    }

    public QuantSpec spec() {
        return spec;
    }

    /** {@code QDQ(x)} for every group (row) of {@code groups}. */
    public NDArray qdq(NDArray groups) {
        if (kernels != null) {
            return kernels.qdq(groups, symmetric, (int) qmax);
        }
        Spikes spikes = spec.spikes() ? Spikes.of(groups) : null;
        Params p = params(spikes == null ? groups : spikes.statsInput(groups));
        NDArray values;
        if (element.isFloat()) {
            EnginePowers powers = new EnginePowers(groups);
            values = roundElement(clampScaled(groups, p), powers).mul(p.scale);
        } else {
            values = dequantize(levels(groups, p), p);
        }
        return spikes == null ? values : where(spikes.mask(), EngineRounding.r16(groups), values);
    }

    /** The packed buffers of every group of {@code groups}. */
    public PackedPiece pack(NDArray groups) {
        Spikes spikes = spec.spikes() ? Spikes.of(groups) : null;
        Params p = kernels != null ? null : params(spikes == null ? groups : spikes.statsInput(groups));
        int length = Math.toIntExact(groups.getShape().get(1));
        NDArray codes;
        NDArray scale;
        if (element.isFloat()) {
            EnginePowers powers = new EnginePowers(groups);
            codes = floatCodes(clampScaled(groups, p), powers);
            scale = switch (spec.scaleType()) {
                case FP16 -> p.scale.toType(DataType.FLOAT16, false);
                case FP32 -> p.scale.duplicate();
                case E8M0 -> powers.floorLog2(p.scale.toType(DataType.FLOAT64, false), -127, 127).add(127.0)
                        .toType(DataType.UINT8, false);
            };
        } else {
            NDArray levels;
            if (kernels != null) {
                NDArray[] q = kernels.quantize(groups, symmetric, (int) qmax);
                levels = q[0];
                p = new Params(q[1], q[2]);
            } else {
                levels = levels(groups, p);
            }
            codes = symmetric ? levels.add(Scalars.of(levels, qmax)) : levels;
            scale = p.scale.toType(DataType.FLOAT16, false);
        }
        NDArray min = element.isFloat() || symmetric ? null : p.min.toType(DataType.FLOAT16, false);
        if (spikes == null) {
            return new PackedPiece(packer.pack(codes), scale, min, length);
        }
        return new PackedPiece(packer.pack(codes), scale, min, spikes.values(groups), spikes.index(spec), length);
    }

    /** The fp32 group matrix a packed piece decodes to: the fake path's {@code x'} exactly. */
    public NDArray unpack(PackedPiece piece) {
        NDArray codes = packer.unpack(piece.codes(), piece.length());
        NDArray values;
        if (element.isFloat()) {
            EnginePowers powers = new EnginePowers(codes);
            NDArray scale = switch (spec.scaleType()) {
                case FP16 -> piece.scale().toType(DataType.FLOAT32, false);
                case FP32 -> piece.scale();
                case E8M0 -> powers.pow2(piece.scale().toType(DataType.FLOAT64, false).sub(127.0))
                        .toType(DataType.FLOAT32, false);
            };
            values = decodeFloat(codes, powers).mul(scale);
        } else {
            NDArray scale = piece.scale().toType(DataType.FLOAT32, false);
            if (symmetric) {
                // code - qmax is an exact integer, +0 for the zero level, as the host's int subtraction gives
                values = codes.sub(Scalars.of(codes, qmax)).mul(scale);
            } else {
                values = codes.mul(scale).add(piece.min().toType(DataType.FLOAT32, false));
            }
        }
        if (piece.spikeValues() == null) {
            return values;
        }
        return Spikes.restore(values, piece, spec);
    }

    /** A group's scale (fp32 holding a value of the scale dtype) and, for asymmetric integers, its fp16-valued min. */
    private record Params(NDArray scale, NDArray min) {
    }

    private Params params(NDArray groups) {
        int[] axis = {1};
        if (element.isFloat()) {
            NDArray raw = groups.abs().max(axis, true).div(Scalars.of(groups, element.fmax(), DataType.FLOAT32));
            return new Params(oneIfZero(roundScale(raw)), null);
        }
        NDArray qmaxT = Scalars.of(groups, qmax, DataType.FLOAT32);
        if (symmetric) {
            NDArray a = EngineRounding.r16(groups.abs().max(axis, true).div(qmaxT));
            return new Params(oneIfZero(a), null);
        }
        NDArray mn = EngineRounding.r16(groups.min(axis, true));
        NDArray s = EngineRounding.r16(groups.max(axis, true).sub(mn).div(qmaxT));
        return new Params(oneIfZero(s), mn);
    }

    /** {@link ScaleType#round} without its zero rule: fp16 R16, fp32 as is, e8m0 the power of two at or above. */
    private NDArray roundScale(NDArray raw) {
        return switch (spec.scaleType()) {
            case FP16 -> EngineRounding.r16(raw);
            case FP32 -> raw;
            case E8M0 -> {
                EnginePowers powers = new EnginePowers(raw);
                NDArray r = raw.toType(DataType.FLOAT64, false);
                NDArray p = powers.pow2(powers.floorLog2(r, -149, 127));
                NDArray up = where(p.eq(r), p, p.mul(2.0)).maximum((double) ScaleType.E8M0_MIN);
                yield where(r.eq(0.0), r, up).toType(DataType.FLOAT32, false);
            }
        };
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

    /** {@code clamp(x / s, ±fmax)}. */
    private NDArray clampScaled(NDArray groups, Params p) {
        NDArray y = groups.div(p.scale);
        float fmax = element.fmax();
        return y.maximum(Scalars.of(y, -fmax)).minimum(Scalars.of(y, fmax));
    }

    /** {@code floor(log2|y|)} clamped to the element's exponents, as fp64. */
    private NDArray exponent(NDArray y, EnginePowers powers) {
        return powers.floorLog2(y.abs().toType(DataType.FLOAT64, false), element.minExponent(), element.maxExponent());
    }

    /** The grid spacing at y, fp32. */
    private NDArray ulp(NDArray exponent, EnginePowers powers) {
        return powers.pow2(exponent.sub((double) element.mantissaBits())).toType(DataType.FLOAT32, false);
    }

    /** Q(y): nearest-even onto the element's grid (y already clamped). */
    private NDArray roundElement(NDArray y, EnginePowers powers) {
        NDArray ulp = ulp(exponent(y, powers), powers);
        return y.div(ulp).round().mul(ulp);
    }

    /**
     * The element codes of clamped y, fp32 integers: {@code (k - emin) * 2^m + rint(|y| / ulp)} (the host's formula,
     * a carry into the next binade included), plus {@code 2^(b-1)} when y's sign bit is set.
     */
    private NDArray floatCodes(NDArray y, EnginePowers powers) {
        NDArray k = exponent(y, powers);
        NDArray units = y.abs().div(ulp(k, powers)).round();
        NDArray field = k.sub((double) element.minExponent()).mul((double) (1 << element.mantissaBits()))
                .toType(DataType.FLOAT32, false);
        NDArray negative = Scalars.of(y, 1).div(y).lt(Scalars.of(y, 0)).toType(DataType.FLOAT32, false);
        return field.add(units).add(negative.mul(Scalars.of(y, 1 << (element.bits() - 1))));
    }

    /** The signed element values of fp32 codes. */
    private NDArray decodeFloat(NDArray codes, EnginePowers powers) {
        float half = 1 << (element.bits() - 1);
        float mantissaSpan = 1 << element.mantissaBits();
        NDArray negative = codes.gte(Scalars.of(codes, half));
        NDArray c = codes.sub(negative.toType(DataType.FLOAT32, false).mul(Scalars.of(codes, half)));
        NDArray field = c.div(Scalars.of(codes, mantissaSpan)).floor();
        NDArray mant = c.sub(field.mul(Scalars.of(codes, mantissaSpan)));
        NDArray isSub = field.eq(Scalars.of(codes, 0));
        NDArray units = where(isSub, mant, mant.add(Scalars.of(codes, mantissaSpan)));
        NDArray exp = field.maximum(Scalars.of(codes, 1)).sub(Scalars.of(codes, 1))
                .add(Scalars.of(codes, element.minExponent() - element.mantissaBits())).toType(DataType.FLOAT64, false);
        NDArray magnitude = units.mul(powers.pow2(exp).toType(DataType.FLOAT32, false));
        return where(negative, magnitude.neg(), magnitude);
    }

    /** {@code torch.where} with {@code a} and {@code b} broadcast to the condition's shape (DJL does not broadcast). */
    private static NDArray where(NDArray condition, NDArray a, NDArray b) {
        Shape shape = condition.getShape();
        return NDArrays.where(condition, a.getShape().equals(shape) ? a : a.broadcast(shape),
                b.getShape().equals(shape) ? b : b.broadcast(shape));
    }

    /** The spike positions of a group matrix: first max and first min of each row. */
    private record Spikes(NDArray maxMask, NDArray minMask, NDArray iMax, NDArray iMin) {

        static Spikes of(NDArray groups) {
            long n = groups.getShape().get(0);
            long len = groups.getShape().get(1);
            NDArray iMax = groups.argMax(1).reshape(n, 1);
            NDArray iMin = groups.argMin(1).reshape(n, 1);
            NDArray positions = groups.getManager().arange(0, (int) len, 1, DataType.INT64).reshape(1, len);
            positions = positions.getDevice().equals(groups.getDevice()) ? positions
                    : positions.toDevice(groups.getDevice(), false);
            return new Spikes(positions.eq(iMax), positions.eq(iMin), iMax, iMin);
        }

        NDArray mask() {
            return maxMask.logicalOr(minMask);
        }

        /** The group with both spikes replaced by the first other element among positions 0..2 (0 when len <= 2). */
        NDArray statsInput(NDArray groups) {
            long len = groups.getShape().get(1);
            NDArray neutral;
            if (len <= 2) {
                neutral = Scalars.of(groups, 0);
            } else {
                NDArray ok0 = iMax.neq(0L).logicalAnd(iMin.neq(0L));
                NDArray ok1 = iMax.neq(1L).logicalAnd(iMin.neq(1L));
                neutral = where(ok0, groups.get(":, 0:1"),
                        where(ok1, groups.get(":, 1:2"), groups.get(":, 2:3")));
            }
            return where(mask(), neutral, groups);
        }

        /** fp16 {@code [n, 2]}: R16 of the max and of the min element, each read at its own position. */
        NDArray values(NDArray groups) {
            NDArray inf = Scalars.of(groups, Double.POSITIVE_INFINITY);
            NDArray max = where(maxMask, groups, inf.neg()).max(new int[] {1}, true);
            NDArray min = where(minMask, groups, inf).min(new int[] {1}, true);
            return EngineRounding.r16(max.concat(min, 1)).toType(DataType.FLOAT16, false);
        }

        /** uint8 positions {@code [n, 2]} (max, min), or {@code [n, 4]} low/high bytes for groups over 256. */
        NDArray index(QuantSpec spec) {
            NDArray both = iMax.concat(iMin, 1).toType(DataType.FLOAT32, false);
            if (spec.spikeIndexBytes() == 1) {
                return both.toType(DataType.UINT8, false);
            }
            NDArray high = both.div(Scalars.of(both, 256)).floor();
            NDArray low = both.sub(high.mul(Scalars.of(both, 256)));
            return NDArrays.stack(new ai.djl.ndarray.NDList(low, high), 2).reshape(both.getShape().get(0), 4)
                    .toType(DataType.UINT8, false);
        }

        /** Decoded values with the kept spikes written back at their positions (the min last, as the host does). */
        static NDArray restore(NDArray values, PackedPiece piece, QuantSpec spec) {
            long n = values.getShape().get(0);
            long len = values.getShape().get(1);
            NDArray idx = piece.spikeIndex().toType(DataType.FLOAT32, false);
            NDArray iMax;
            NDArray iMin;
            if (spec.spikeIndexBytes() == 1) {
                iMax = idx.get(":, 0:1");
                iMin = idx.get(":, 1:2");
            } else {
                iMax = idx.get(":, 0:1").add(idx.get(":, 1:2").mul(Scalars.of(idx, 256)));
                iMin = idx.get(":, 2:3").add(idx.get(":, 3:4").mul(Scalars.of(idx, 256)));
            }
            NDArray positions = values.getManager().arange(0, (int) len, 1, DataType.FLOAT32).reshape(1, len);
            positions = positions.getDevice().equals(values.getDevice()) ? positions
                    : positions.toDevice(values.getDevice(), false);
            NDArray v = piece.spikeValues().toType(DataType.FLOAT32, false);
            NDArray withMax = where(positions.eq(iMax), v.get(":, 0:1"), values);
            return where(positions.eq(iMin), v.get(":, 1:2"), withMax).reshape(new Shape(n, len));
        }
    }
}
