package dev.flashcomm.quant;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the all-reduce moves partial sums: exactly, rounded to fp16 or bf16, or as a flash low-bit format with a
 * reduce-scatter and an all-gather quantization spec (see {@code docs/flash-allreduce.md}).
 *
 * <p>Names (case-insensitive):
 * <ul>
 *   <li>{@code exact}, {@code fp16}, {@code bf16};</li>
 *   <li>{@code int<8|6|4|3|2>[-asym|-sym][-g<N>][-spike]}: defaults asym and g128; {@code int6} is the paper's
 *       4-bit reduce-scatter with an 8-bit all-gather. {@code int<R>:<A>} names the widths of the two phases
 *       directly (2..8 each), e.g. {@code int6:6} for six bits in both, as QuickReduce's INT6 does;</li>
 *   <li>{@code fp8-e4m3|fp8-e5m2|fp4-e2m1[-g<N>][-s<fp16|fp32|e8m0>][-spike]}: float elements with a per-group scale
 *       in that dtype, default g128 and fp16 (the same element in both phases);</li>
 *   <li>{@code -spike}: FlashCommunication V2's spike reserving, each group's min and max kept in fp16.</li>
 * </ul>
 * {@link #name()} gives the canonical full form ({@code int4} becomes {@code int4-asym-g128}, {@code fp8-e4m3}
 * becomes {@code fp8-e4m3-g128}; an fp16 scale is never spelled out).
 *
 * @param kind          which family of format
 * @param reduceScatter quantization before the all-to-all; null unless {@link Kind#FLASH}
 * @param allGather     quantization of the reduced chunks before the all-gather; null unless {@link Kind#FLASH}
 */
public record CommFormat(Kind kind, QuantSpec reduceScatter, QuantSpec allGather) {

    /** Family of communication format. */
    public enum Kind { EXACT, FP16, BF16, FLASH }

    public static final int DEFAULT_GROUP_SIZE = 128;
    public static final CommFormat EXACT = new CommFormat(Kind.EXACT, null, null);
    public static final CommFormat FP16 = new CommFormat(Kind.FP16, null, null);
    public static final CommFormat BF16 = new CommFormat(Kind.BF16, null, null);

    static final String ACCEPTED = "accepted: exact, fp16, bf16, int<8|6|4|3|2>[-asym|-sym][-g<N>][-spike], "
            + "int<R>:<A>[...] (phase widths 2..8), fp8-e4m3|fp8-e5m2|fp4-e2m1[-g<N>][-s<fp16|fp32|e8m0>][-spike] "
            + "(N >= 1; defaults asym, g" + DEFAULT_GROUP_SIZE + ", fp16 scales), e.g. int4, int4-sym-g32, int6:6-sym-g32, "
            + "fp8-e4m3-g256-sfp32, fp4-e2m1-g32-se8m0, int2-g64-spike";
    private static final Pattern INT_NAME = Pattern.compile("int(\\d+)(?::(\\d+))?(?:-(asym|sym))?(?:-g(\\d+))?(-spike)?");
    private static final Pattern FLOAT_NAME =
            Pattern.compile("(fp8-e4m3|fp8-e5m2|fp4-e2m1)(?:-g(\\d+))?(?:-s(?!pike$)([a-z0-9]+))?(-spike)?");
    /** Int6 is the paper's mixed width: 4-bit codes where errors average out, 8-bit after the sum. */
    private static final int MIXED_BITS = 6;

    public CommFormat {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (kind != Kind.FLASH) {
            if (reduceScatter != null || allGather != null) {
                throw new IllegalArgumentException(kind + " takes no quantization specs");
            }
        } else {
            if (reduceScatter == null || allGather == null) {
                throw new IllegalArgumentException("a flash format needs both a reduce-scatter and an all-gather spec");
            }
            QuantSpec rs = reduceScatter;
            QuantSpec ag = allGather;
            if (rs.element() != ag.element() || rs.symmetric() != ag.symmetric() || rs.groupSize() != ag.groupSize()
                    || rs.scaleType() != ag.scaleType() || rs.spikes() != ag.spikes()) {
                throw new IllegalArgumentException("reduce-scatter " + reduceScatter + " and all-gather " + allGather
                        + " may differ in integer width only");
            }
        }
    }

    /** The flash format {@code int<bits>-<asym|sym>-g<groupSize>}; bits one of 8, 6, 4, 3, 2. */
    public static CommFormat flash(int bits, boolean symmetric, int groupSize) {
        int[] widths = phaseWidths(bits);
        return new CommFormat(Kind.FLASH, new QuantSpec(widths[0], symmetric, groupSize),
                new QuantSpec(widths[1], symmetric, groupSize));
    }

    /** A float-element flash format: the same spec in both phases. */
    public static CommFormat flashFloat(ElementType element, int groupSize, ScaleType scale, boolean spikes) {
        QuantSpec s = QuantSpec.ofFloat(element, groupSize, scale, spikes);
        return new CommFormat(Kind.FLASH, s, s);
    }

    /** This format with spike reserving on in both phases. */
    public CommFormat withSpikes() {
        if (!isFlash()) {
            throw new IllegalStateException(name() + " has no groups to reserve spikes in");
        }
        return new CommFormat(kind, reduceScatter.withSpikes(true), allGather.withSpikes(true));
    }

    private static int[] phaseWidths(int bits) {
        return switch (bits) {
            case 8, 4, 3, 2 -> new int[] {bits, bits};
            case MIXED_BITS -> new int[] {4, 8};
            default -> throw new IllegalArgumentException("int" + bits + " is not a flash format; " + ACCEPTED);
        };
    }

    /**
     * Parses a format name (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the input and listing the accepted forms
     */
    public static CommFormat parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("missing communication format; " + ACCEPTED);
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        switch (n) {
            case "exact":
                return EXACT;
            case "fp16":
                return FP16;
            case "bf16":
                return BF16;
            default:
                break;
        }
        Matcher f = FLOAT_NAME.matcher(n);
        if (f.matches()) {
            ElementType element = ElementType.byId(f.group(1));
            int group = group(f.group(2), name);
            ScaleType scale = ScaleType.FP16;
            if (f.group(3) != null) {
                scale = ScaleType.byId(f.group(3));
                if (scale == null) {
                    throw unknown(name, ": scale dtype '" + f.group(3) + "' is not fp16, fp32 or e8m0");
                }
            }
            return flashFloat(element, group, scale, f.group(4) != null);
        }
        Matcher m = INT_NAME.matcher(n);
        if (!m.matches()) {
            throw unknown(name, "");
        }
        int bits = parseNumber(m.group(1), name, "bit width");
        boolean symmetric = "sym".equals(m.group(3));
        int group = group(m.group(4), name);
        boolean spikes = m.group(5) != null;
        CommFormat format;
        if (m.group(2) != null) {
            int ag = parseNumber(m.group(2), name, "all-gather width");
            for (int w : new int[] {bits, ag}) {
                if (w < QuantSpec.MIN_BITS || w > QuantSpec.MAX_BITS) {
                    throw unknown(name, ": phase width " + w + " is not " + QuantSpec.MIN_BITS + ".." + QuantSpec.MAX_BITS);
                }
            }
            format = new CommFormat(Kind.FLASH, new QuantSpec(bits, symmetric, group), new QuantSpec(ag, symmetric, group));
        } else {
            if (bits != 8 && bits != MIXED_BITS && bits != 4 && bits != 3 && bits != 2) {
                throw unknown(name, ": int" + bits + " is not a flash bit width");
            }
            format = flash(bits, symmetric, group);
        }
        return spikes ? format.withSpikes() : format;
    }

    private static int group(String digits, String name) {
        int group = digits == null ? DEFAULT_GROUP_SIZE : parseNumber(digits, name, "group size");
        if (group < 1) {
            throw unknown(name, ": group size must be >= 1");
        }
        return group;
    }

    /**
     * Canonical name: {@code exact}, {@code fp16}, {@code bf16}, {@code int<b>-<asym|sym>-g<N>[-spike]} (b the
     * nominal width, or {@code <R>:<A>} when the phases are not one of the paper's pairs) or
     * {@code <element>-g<N>[-s<dtype>][-spike]} (the scale dtype only when it is not fp16).
     */
    public String name() {
        return switch (kind) {
            case EXACT -> "exact";
            case FP16 -> "fp16";
            case BF16 -> "bf16";
            case FLASH -> flashName();
        };
    }

    private String flashName() {
        QuantSpec rs = reduceScatter;
        String spike = rs.spikes() ? "-spike" : "";
        if (rs.element().isFloat()) {
            String scale = rs.scaleType() == ScaleType.FP16 ? "" : "-s" + rs.scaleType().id();
            return rs.element().id() + "-g" + rs.groupSize() + scale + spike;
        }
        return "int" + widths() + (rs.symmetric() ? "-sym" : "-asym") + "-g" + rs.groupSize() + spike;
    }

    private String widths() {
        int rs = reduceScatter.bits();
        int ag = allGather.bits();
        boolean tabled = (rs == ag && (rs == 8 || rs == 4 || rs == 3 || rs == 2)) || (rs == 4 && ag == 8);
        if (tabled) {
            return Integer.toString(rs == ag ? rs : MIXED_BITS);
        }
        return rs + ":" + ag;
    }

    public boolean isFlash() {
        return kind == Kind.FLASH;
    }

    /** The nominal width in the name (6 for the 4/8-bit mix; the element width for float formats). */
    public int flashBits() {
        if (!isFlash()) {
            throw new IllegalStateException(name() + " is not a flash format");
        }
        return reduceScatter.bits() == allGather.bits() ? reduceScatter.bits()
                : reduceScatter.bits() == 4 && allGather.bits() == 8 ? MIXED_BITS : allGather.bits();
    }

    @Override
    public String toString() {
        return name();
    }

    private static int parseNumber(String digits, String name, String what) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw unknown(name, ": " + what + " " + digits + " is out of range");
        }
    }

    private static IllegalArgumentException unknown(String name, String why) {
        return new IllegalArgumentException("unknown communication format '" + name + "'" + why + "; " + ACCEPTED);
    }
}
