package dev.flashcomm.quant;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the all-reduce moves partial sums: exactly, rounded to fp16 or bf16, or as a flash low-bit format with a
 * reduce-scatter and an all-gather quantization spec (see {@code docs/flash-allreduce.md}).
 *
 * <p>Names: {@code exact}, {@code fp16}, {@code bf16}, and {@code int<8|6|4|3|2>[-asym|-sym][-g<N>]} with defaults
 * asym and g128. {@link #name()} gives the canonical full form ({@code int4} becomes {@code int4-asym-g128}).
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

    static final String ACCEPTED = "accepted: exact, fp16, bf16, int<8|6|4|3|2>[-asym|-sym][-g<N>] (N >= 1; default asym, g"
            + DEFAULT_GROUP_SIZE + "), e.g. int4, int4-sym-g32, int8-g64";
    private static final Pattern FLASH_NAME = Pattern.compile("int(\\d+)(?:-(asym|sym))?(?:-g(\\d+))?");
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
            if (reduceScatter.symmetric() != allGather.symmetric() || reduceScatter.groupSize() != allGather.groupSize()) {
                throw new IllegalArgumentException("reduce-scatter " + reduceScatter + " and all-gather " + allGather
                        + " must share symmetry and group size");
            }
            int rs = reduceScatter.bits();
            int ag = allGather.bits();
            boolean tabled = (rs == ag && (rs == 8 || rs == 4 || rs == 3 || rs == 2)) || (rs == 4 && ag == 8);
            if (!tabled) {
                throw new IllegalArgumentException("no flash format has " + rs + "-bit reduce-scatter and " + ag + "-bit all-gather");
            }
        }
    }

    /** The flash format {@code int<bits>-<asym|sym>-g<groupSize>}; bits one of 8, 6, 4, 3, 2. */
    public static CommFormat flash(int bits, boolean symmetric, int groupSize) {
        int rs;
        int ag;
        switch (bits) {
            case 8, 4, 3, 2 -> {
                rs = bits;
                ag = bits;
            }
            case MIXED_BITS -> {
                rs = 4;
                ag = 8;
            }
            default -> throw new IllegalArgumentException("int" + bits + " is not a flash format; " + ACCEPTED);
        }
        return new CommFormat(Kind.FLASH, new QuantSpec(rs, symmetric, groupSize), new QuantSpec(ag, symmetric, groupSize));
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
        Matcher m = FLASH_NAME.matcher(n);
        if (!m.matches()) {
            throw unknown(name, "");
        }
        int bits = parseNumber(m.group(1), name, "bit width");
        if (bits != 8 && bits != MIXED_BITS && bits != 4 && bits != 3 && bits != 2) {
            throw unknown(name, ": int" + bits + " is not a flash bit width");
        }
        boolean symmetric = "sym".equals(m.group(2));
        int group = m.group(3) == null ? DEFAULT_GROUP_SIZE : parseNumber(m.group(3), name, "group size");
        if (group < 1) {
            throw unknown(name, ": group size must be >= 1");
        }
        return flash(bits, symmetric, group);
    }

    /** Canonical name: {@code exact}, {@code fp16}, {@code bf16} or {@code int<b>-<asym|sym>-g<N>}. */
    public String name() {
        return switch (kind) {
            case EXACT -> "exact";
            case FP16 -> "fp16";
            case BF16 -> "bf16";
            case FLASH -> "int" + flashBits() + (reduceScatter.symmetric() ? "-sym" : "-asym") + "-g" + reduceScatter.groupSize();
        };
    }

    public boolean isFlash() {
        return kind == Kind.FLASH;
    }

    /** The nominal width in the name (6 for the 4/8-bit mix). */
    public int flashBits() {
        if (!isFlash()) {
            throw new IllegalStateException(name() + " is not a flash format");
        }
        return reduceScatter.bits() == allGather.bits() ? reduceScatter.bits() : MIXED_BITS;
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
