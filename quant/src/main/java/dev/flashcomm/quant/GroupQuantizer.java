package dev.flashcomm.quant;

import java.util.List;
import java.util.Objects;

/**
 * Group-wise quantization of row-major [rows, cols] fp32 matrices with one {@link QuantSpec}, exactly as
 * {@code docs/flash-allreduce.md} specifies it, in two forms that give bit-identical values:
 * <ul>
 *   <li>fake quantization ({@code qdq*}): quantize and dequantize in place or into another array;</li>
 *   <li>packed ({@link #quantize} / {@link #dequantize}): real bytes for a contiguous range of groups.</li>
 * </ul>
 *
 * <p>Per group, in fp32 and never fused: asymmetric {@code mn = R16(min x)}, {@code s = R16((max x - mn) / qmax)}
 * (1 if 0), {@code q = clamp(rint((x - mn) / s), 0, qmax)}, {@code x' = q*s + mn}; symmetric
 * {@code a = R16(max|x| / qmax)} (1 if 0), {@code q = clamp(rint(x / a), -qmax, qmax)}, {@code x' = q*a}. Both forms
 * share the helpers that compute scales and levels and evaluate {@code x'} with the same fp32 expression, which is
 * what makes them identical (a level of 0 gives +0, never -0). That holds for any finite or infinite input; NaN
 * input has no defined result (the all-reduce rejects it first).
 *
 * <p><b>Packed layout.</b> Groups follow each other in global group order (see {@link GroupLayout}), each one:
 * fp16 scale (2 bytes, little-endian), then for asymmetric formats the fp16 min (2 bytes, little-endian), then the
 * group's codes packed LSB-first by {@link BitPacker} into {@code ceil(len * bits / 8)} bytes. Symmetric codes are
 * stored offset by qmax ({@code q + qmax}, so 0..2*qmax). Every group starts on a byte boundary.
 *
 * <p>Float elements (FP8/FP4), scale dtypes other than fp16 and spike reserving go through {@link GroupCodec}, one
 * group at a time, whose layout and formulas extend these (scale in its dtype first, spikes after the min); the
 * plain integer formats keep the vectorized loops below.
 *
 * <p>Immutable and thread-safe; scratch buffers live only for one call.
 */
public final class GroupQuantizer {

    /** Adding 1.5*2^23 to |v| < 2^22 lands in [2^23, 2^24), where the fp32 ulp is 1: the add itself rounds half to even like Math.rint. */
    private static final float ROUNDER = 0x1.8p23f;
    /** In [2^23, 2^24) an fp32's bits grow by one per integer, so {@code bits(ROUNDER + k) - ROUNDER_BITS == k}. */
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);

    private final QuantSpec spec;
    private final boolean symmetric;
    private final int bits;
    private final int qmax;
    private final float qmaxF;
    /** Symmetric codes travel as {@code q + qmax}: ROUNDER_BITS - qmax turns a shifted level into that code. */
    private final int symmetricCodeBase;
    /** Float elements, other scale dtypes and spikes go through the scalar codec; null for the plain int formats. */
    private final GroupCodec general;

    public GroupQuantizer(QuantSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        this.spec = spec;
        this.symmetric = spec.symmetric();
        this.bits = spec.bits();
        boolean plainInt = spec.element() == ElementType.INT && !spec.spikes();
        this.general = plainInt ? null : new GroupCodec(spec);
        this.qmax = spec.element() == ElementType.INT ? spec.qmax() : 0;
        this.qmaxF = qmax;
        this.symmetricCodeBase = ROUNDER_BITS - qmax;
    }

    public QuantSpec spec() {
        return spec;
    }

    /** Fake-quantizes every group of the [rows, cols] matrix {@code x} in place. */
    public void qdqInPlace(float[] x, int rows, int cols) {
        if (rows < 0 || (long) rows * cols != x.length) {
            throw new IllegalArgumentException("array of " + x.length + " floats is not a [" + rows + ", " + cols + "] matrix");
        }
        GroupLayout layout = new GroupLayout(spec, cols);
        qdq(x, x, layout, 0, Math.toIntExact(layout.groupCount(rows)), false);
    }

    /** Fake-quantizes groups {@code [firstGroup, firstGroup + groupCount)} of {@code x} (cols columns) in place. */
    public void qdqGroups(float[] x, int cols, int firstGroup, int groupCount) {
        qdqInto(x, x, cols, firstGroup, groupCount);
    }

    /** Writes {@code QDQ(src)} into {@code dst} for the given groups; other elements of {@code dst} are untouched. */
    public void qdqInto(float[] src, float[] dst, int cols, int firstGroup, int groupCount) {
        GroupLayout layout = checkedLayout(src.length, cols, firstGroup, groupCount);
        requireSameLength(src, dst);
        qdq(src, dst, layout, firstGroup, groupCount, false);
    }

    /** Adds {@code QDQ(src)} into {@code acc} ({@code acc[i] = acc[i] + x'[i]}) for the given groups. */
    public void qdqAddInto(float[] src, float[] acc, int cols, int firstGroup, int groupCount) {
        GroupLayout layout = checkedLayout(src.length, cols, firstGroup, groupCount);
        requireSameLength(src, acc);
        qdq(src, acc, layout, firstGroup, groupCount, true);
    }

    /** Quantizes groups {@code [firstGroup, firstGroup + groupCount)} of {@code x} (cols columns) into packed bytes. */
    public PackedGroups quantize(float[] x, int cols, int firstGroup, int groupCount) {
        GroupLayout layout = checkedLayout(x.length, cols, firstGroup, groupCount);
        byte[] out = new byte[Math.toIntExact(layout.bytesOf(firstGroup, groupCount))];
        quantizeInto(x, layout, firstGroup, groupCount, out, 0);
        return new PackedGroups(layout, firstGroup, groupCount, out);
    }

    /**
     * Like {@link #quantize}, but writes the packed bytes into {@code out} at {@code offset}, so a caller can reuse
     * one send buffer; returns the number of bytes written ({@link GroupLayout#bytesOf}).
     */
    public int quantizeInto(float[] x, int cols, int firstGroup, int groupCount, byte[] out, int offset) {
        GroupLayout layout = checkedLayout(x.length, cols, firstGroup, groupCount);
        int bytes = Math.toIntExact(layout.bytesOf(firstGroup, groupCount));
        Objects.checkFromIndexSize(offset, bytes, out.length);
        quantizeInto(x, layout, firstGroup, groupCount, out, offset);
        return bytes;
    }

    private void quantizeInto(float[] x, GroupLayout layout, int firstGroup, int groupCount, byte[] out, int offset) {
        float[] levels = new float[layout.groupLength(0)];
        GroupCursor g = new GroupCursor(layout, firstGroup);
        int pos = offset;
        for (int n = 0; n < groupCount; n++, g.next()) {
            pos = general != null ? general.encodeGroup(x, g.from, g.length, out, pos)
                    : quantizeGroup(x, g.from, g.length, levels, out, pos);
        }
    }

    /** Dequantizes {@code p} into its elements of {@code out} (a matrix with {@code p.cols()} columns). */
    public void dequantize(PackedGroups p, float[] out) {
        dequantizeSum(List.of(p), out);
    }

    /** Adds the dequantized values of {@code p} into {@code acc} ({@code acc[i] = acc[i] + x'[i]}). */
    public void dequantizeAdd(PackedGroups p, float[] acc) {
        GroupLayout layout = checkedLayout(acc.length, p.cols(), p.firstGroup(), p.groupCount());
        requireSpec(p);
        Scratch scratch = new Scratch(layout.groupLength(0));
        GroupCursor g = new GroupCursor(layout, p.firstGroup());
        byte[] in = p.bytes();
        int pos = 0;
        for (int n = 0; n < p.groupCount(); n++, g.next()) {
            pos = decodeGroup(in, pos, g.length, scratch, false);
            addInto(scratch.values, acc, g.from, g.length);
        }
    }

    /**
     * Writes {@code ((DQ(parts[0]) + DQ(parts[1])) + ...)} into the parts' elements of {@code out}: what a rank does
     * with the chunks it received. All parts must cover the same groups. Works group by group, so each group's
     * running sum stays in cache instead of sweeping {@code out} once per part.
     */
    public void dequantizeSum(List<PackedGroups> parts, float[] out) {
        dequantizeSum(parts, out, Accumulation.FP32);
    }

    /**
     * {@link #dequantizeSum(List, float[])} with the running sum rounded to {@code acc} after each addition:
     * {@code R(...R(R(DQ(parts[0])) + DQ(parts[1]))...)}.
     */
    public void dequantizeSum(List<PackedGroups> parts, float[] out, Accumulation acc) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to dequantize");
        }
        PackedGroups first = parts.get(0);
        for (PackedGroups p : parts) {
            requireSpec(p);
            if (p.cols() != first.cols() || p.firstGroup() != first.firstGroup() || p.groupCount() != first.groupCount()) {
                throw new IllegalArgumentException("parts cover different groups: " + first + " vs " + p);
            }
        }
        GroupLayout layout = checkedLayout(out.length, first.cols(), first.firstGroup(), first.groupCount());
        Scratch scratch = new Scratch(layout.groupLength(0));
        int[] pos = new int[parts.size()];
        byte[][] in = new byte[parts.size()][];
        for (int r = 0; r < in.length; r++) {
            in[r] = parts.get(r).bytes();
        }
        GroupCursor g = new GroupCursor(layout, first.firstGroup());
        Scratch one = new Scratch(layout.groupLength(0));
        for (int n = 0; n < first.groupCount(); n++, g.next()) {
            if (acc == Accumulation.FP32) {
                for (int r = 0; r < in.length; r++) {
                    pos[r] = decodeGroup(in[r], pos[r], g.length, scratch, r > 0);
                }
            } else {
                float[] sum = scratch.values;
                // decode each part on its own, so that the sum can be rounded after every addition
                for (int r = 0; r < in.length; r++) {
                    pos[r] = decodeGroup(in[r], pos[r], g.length, one, false);
                    for (int i = 0; i < g.length; i++) {
                        sum[i] = r == 0 ? acc.round(one.values[i]) : acc.add(sum[i], one.values[i]);
                    }
                }
            }
            System.arraycopy(scratch.values, 0, out, g.from, g.length);
        }
    }

    private void qdq(float[] src, float[] dst, GroupLayout layout, int firstGroup, int groupCount, boolean add) {
        GroupCursor g = new GroupCursor(layout, firstGroup);
        for (int n = 0; n < groupCount; n++, g.next()) {
            if (general != null) {
                general.qdqGroup(src, dst, g.from, g.length, add);
            } else if (symmetric) {
                qdqSymmetricGroup(src, dst, g.from, g.from + g.length, add);
            } else {
                qdqAsymmetricGroup(src, dst, g.from, g.from + g.length, add);
            }
        }
    }

    // The per-group methods below are small and called once per group, so the JIT compiles them normally and
    // inlines them; one big loop over a whole matrix, entered a handful of times per call, would only get OSR code.
    // Their loops index every array alike (hence the scratch copies), which is what lets the JIT vectorize them.

    private void qdqSymmetricGroup(float[] src, float[] dst, int from, int to, boolean add) {
        float a = symmetricScale(src, from, to);
        if (add) {
            for (int i = from; i < to; i++) {
                dst[i] += (shiftedSymmetricLevel(src[i], a) - ROUNDER) * a;
            }
        } else {
            for (int i = from; i < to; i++) {
                dst[i] = (shiftedSymmetricLevel(src[i], a) - ROUNDER) * a;
            }
        }
    }

    private void qdqAsymmetricGroup(float[] src, float[] dst, int from, int to, boolean add) {
        long params = asymmetricParams(src, from, to);
        float s = scaleOf(params);
        float mn = minOf(params);
        if (add) {
            for (int i = from; i < to; i++) {
                dst[i] += (shiftedAsymmetricLevel(src[i], mn, s) - ROUNDER) * s + mn;
            }
        } else {
            for (int i = from; i < to; i++) {
                dst[i] = (shiftedAsymmetricLevel(src[i], mn, s) - ROUNDER) * s + mn;
            }
        }
    }

    /** Writes one group (header, then packed codes) at {@code pos}; returns the position after it. */
    private int quantizeGroup(float[] x, int from, int len, float[] levels, byte[] out, int pos) {
        System.arraycopy(x, from, levels, 0, len);
        if (symmetric) {
            float a = symmetricScale(x, from, from + len);
            pos = writeFp16(out, pos, a);
            for (int i = 0; i < len; i++) {
                levels[i] = shiftedSymmetricLevel(levels[i], a);
            }
            return BitPacker.packLevels(levels, len, bits, symmetricCodeBase, out, pos);
        }
        long params = asymmetricParams(x, from, from + len);
        float s = scaleOf(params);
        float mn = minOf(params);
        pos = writeFp16(out, pos, s);
        pos = writeFp16(out, pos, mn);
        for (int i = 0; i < len; i++) {
            levels[i] = shiftedAsymmetricLevel(levels[i], mn, s);
        }
        return BitPacker.packLevels(levels, len, bits, ROUNDER_BITS, out, pos);
    }

    /**
     * Decodes the group at {@code pos} into {@code scratch.values[0 .. len)}, replacing or (add) adding to what is
     * there; returns the position after the group. Every value is {@code level * scale + mn} (mn = 0 and
     * level = code - qmax when symmetric), the fake path's expression, however the codes are read.
     */
    private int decodeGroup(byte[] in, int pos, int len, Scratch scratch, boolean add) {
        if (general != null) {
            if (!add) {
                return general.decodeGroup(in, pos, len, scratch.values);
            }
            int next = general.decodeGroup(in, pos, len, scratch.decoded);
            for (int i = 0; i < len; i++) {
                scratch.values[i] += scratch.decoded[i];
            }
            return next;
        }
        float scale = readFp16(in, pos);
        pos += 2;
        float mn = 0f;
        if (!symmetric) {
            mn = readFp16(in, pos);
            pos += 2;
        }
        int offset = symmetric ? qmax : 0;
        if (bits == 4) {
            return decodeNibbles(in, pos, len, scale, mn, offset, scratch, add);
        }
        if (bits == 2) {
            return decodeCrumbs(in, pos, len, scale, mn, offset, scratch, add);
        }
        pos = BitPacker.unpackUnchecked(in, pos, len, bits, scratch.codes);
        int[] codes = scratch.codes;
        float[] values = scratch.values;
        if (symmetric) {
            // the fake path's symmetric expression is level * a, with no "+ mn"
            if (add) {
                for (int i = 0; i < len; i++) {
                    values[i] += (codes[i] - offset) * scale;
                }
            } else {
                for (int i = 0; i < len; i++) {
                    values[i] = (codes[i] - offset) * scale;
                }
            }
        } else if (add) {
            for (int i = 0; i < len; i++) {
                values[i] += codes[i] * scale + mn;
            }
        } else {
            for (int i = 0; i < len; i++) {
                values[i] = codes[i] * scale + mn;
            }
        }
        return pos;
    }

    /** 4-bit groups: the 16 possible values are computed once per group, then each byte yields two by lookup. */
    private int decodeNibbles(byte[] in, int pos, int len, float scale, float mn, int offset, Scratch scratch, boolean add) {
        float[] table = scratch.table;
        for (int c = 0; c < 16; c++) {
            table[c] = symmetric ? (c - offset) * scale : c * scale + mn;
        }
        float[] values = scratch.values;
        int pairs = len >>> 1;
        if (add) {
            for (int k = 0; k < pairs; k++) {
                int b = in[pos + k];
                values[2 * k] += table[b & 0xf];
                values[2 * k + 1] += table[(b >>> 4) & 0xf];
            }
        } else {
            for (int k = 0; k < pairs; k++) {
                int b = in[pos + k];
                values[2 * k] = table[b & 0xf];
                values[2 * k + 1] = table[(b >>> 4) & 0xf];
            }
        }
        if ((len & 1) != 0) {
            float last = table[in[pos + pairs] & 0xf];
            values[len - 1] = add ? values[len - 1] + last : last;
            return pos + pairs + 1;
        }
        return pos + pairs;
    }

    /** 2-bit groups: the 4 possible values are computed once per group, then each byte yields four by lookup. */
    private int decodeCrumbs(byte[] in, int pos, int len, float scale, float mn, int offset, Scratch scratch, boolean add) {
        float[] table = scratch.table;
        for (int c = 0; c < 4; c++) {
            table[c] = symmetric ? (c - offset) * scale : c * scale + mn;
        }
        float[] values = scratch.values;
        int quads = len >>> 2;
        if (add) {
            for (int k = 0; k < quads; k++) {
                int b = in[pos + k];
                values[4 * k] += table[b & 3];
                values[4 * k + 1] += table[(b >>> 2) & 3];
                values[4 * k + 2] += table[(b >>> 4) & 3];
                values[4 * k + 3] += table[(b >>> 6) & 3];
            }
        } else {
            for (int k = 0; k < quads; k++) {
                int b = in[pos + k];
                values[4 * k] = table[b & 3];
                values[4 * k + 1] = table[(b >>> 2) & 3];
                values[4 * k + 2] = table[(b >>> 4) & 3];
                values[4 * k + 3] = table[(b >>> 6) & 3];
            }
        }
        int rest = len & 3;
        if (rest == 0) {
            return pos + quads;
        }
        int b = in[pos + quads];
        for (int m = 0; m < rest; m++) {
            float v = table[(b >>> (2 * m)) & 3];
            int i = 4 * quads + m;
            values[i] = add ? values[i] + v : v;
        }
        return pos + quads + 1;
    }

    private static void addInto(float[] values, float[] acc, int from, int len) {
        for (int i = 0; i < len; i++) {
            acc[from + i] += values[i];
        }
    }

    // Stats use Math.min/max, measured faster here than compare-and-branch, which mispredicts on unsorted data.

    private float symmetricScale(float[] x, int from, int to) {
        float maxAbs = 0f;
        for (int i = from; i < to; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(x[i]));
        }
        float a = Half.r16(maxAbs / qmaxF);
        return a == 0f ? 1f : a;
    }

    /** Returns the group's fp16-rounded scale and min packed as two fp32 bit patterns (scale high, min low). */
    private long asymmetricParams(float[] x, int from, int to) {
        float lo = x[from];
        float hi = lo;
        for (int i = from + 1; i < to; i++) {
            float v = x[i];
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float mn = Half.r16(lo);
        float s = Half.r16((hi - mn) / qmaxF);
        if (s == 0f) {
            s = 1f;
        }
        return ((long) Float.floatToRawIntBits(s) << 32) | (Float.floatToRawIntBits(mn) & 0xffffffffL);
    }

    private static float scaleOf(long params) {
        return Float.intBitsToFloat((int) (params >>> 32));
    }

    private static float minOf(long params) {
        return Float.intBitsToFloat((int) params);
    }

    /**
     * {@code clamp(rint((x - mn) / s), 0, qmax) + ROUNDER}: the quantization level, still offset by ROUNDER.
     * Clamping before rounding is equivalent because the bounds are integers, and keeps the value in
     * {@code [2^23, 2^24)}, where the fp32 add rounds half to even onto the integers and the level can be read either
     * as {@code shifted - ROUNDER} (exact, never -0: the fake path) or from the low mantissa bits (the packed path).
     * No int conversion, so the JIT can vectorize the loops that call this.
     */
    private float shiftedAsymmetricLevel(float x, float mn, float s) {
        return Math.min(Math.max((x - mn) / s, 0f), qmaxF) + ROUNDER;
    }

    /** {@code clamp(rint(x / a), -qmax, qmax) + ROUNDER}; see {@link #shiftedAsymmetricLevel}. */
    private float shiftedSymmetricLevel(float x, float a) {
        return Math.min(Math.max(x / a, -qmaxF), qmaxF) + ROUNDER;
    }

    private static int writeFp16(byte[] out, int pos, float value) {
        short h = Half.toFp16Bits(value);
        out[pos] = (byte) h;
        out[pos + 1] = (byte) (h >>> 8);
        return pos + 2;
    }

    private static float readFp16(byte[] in, int pos) {
        return Half.fromFp16Bits((short) ((in[pos] & 0xff) | (in[pos + 1] << 8)));
    }

    private GroupLayout checkedLayout(int length, int cols, int firstGroup, int groupCount) {
        GroupLayout layout = new GroupLayout(spec, cols);
        if (length % cols != 0) {
            throw new IllegalArgumentException("array of " + length + " floats is not a whole number of rows of " + cols);
        }
        PackedGroups.requireRange(firstGroup, groupCount);
        long available = layout.groupCount(length / cols);
        if ((long) firstGroup + groupCount > available) {
            throw new IllegalArgumentException("groups [" + firstGroup + ", " + ((long) firstGroup + groupCount)
                    + ") exceed the " + available + " groups of a [" + (length / cols) + ", " + cols + "] matrix");
        }
        return layout;
    }

    private void requireSpec(PackedGroups p) {
        if (!p.spec().equals(spec)) {
            throw new IllegalArgumentException("packed groups are " + p.spec() + ", this quantizer is " + spec);
        }
    }

    private static void requireSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("arrays differ in length: " + a.length + " vs " + b.length);
        }
    }

    /** Per-call buffers for one group's codes and values, and the 4-bit decode table. */
    private static final class Scratch {
        final int[] codes;
        final float[] values;
        /** One group decoded on its own, for sums that round after each addition. */
        final float[] decoded;
        final float[] table = new float[16];

        Scratch(int groupLength) {
            codes = new int[groupLength];
            values = new float[groupLength];
            decoded = new float[groupLength];
        }
    }

    /** Walks consecutive groups: element start and length of the current one, without a division per group. */
    private static final class GroupCursor {
        private final int groupsPerRow;
        private final int fullLength;
        private final int lastLength;
        private int k;
        int from;
        int length;

        GroupCursor(GroupLayout layout, int firstGroup) {
            this.groupsPerRow = layout.groupsPerRow();
            this.fullLength = layout.groupLength(0);
            this.lastLength = layout.groupLength(groupsPerRow - 1);
            this.k = firstGroup % groupsPerRow;
            this.from = Math.toIntExact(layout.elementOffset(firstGroup));
            this.length = k == groupsPerRow - 1 ? lastLength : fullLength;
        }

        void next() {
            from += length;
            if (++k == groupsPerRow) {
                k = 0;
            }
            length = k == groupsPerRow - 1 ? lastLength : fullLength;
        }
    }
}
