package dev.flashcomm.quant;

import java.util.Locale;

/**
 * The dtype of the reduce step's running sum: after each addition (in rank order) the sum is rounded to it, so
 * {@code acc = R(x_0)}, then {@code acc = R(acc + x_r)} for r = 1..N-1. {@link #FP32} is the doc's rule (no extra
 * rounding); {@link #FP16} rounds with R16 (saturating at ±65504, as the doc's fp16 does everywhere); {@link #BF16}
 * rounds to nearest-even bf16. Production kernels often sum in 16 bits (QuickReduce's fp16 codecs add in fp16);
 * TensorRT-LLM moved its fused all-reduce to fp32 sums for accuracy.
 */
public enum Accumulation {
    FP32("fp32"),
    FP16("fp16"),
    BF16("bf16");

    private final String id;

    Accumulation(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The running sum's rounding. */
    public float round(float x) {
        return switch (this) {
            case FP32 -> x;
            case FP16 -> Half.r16(x);
            case BF16 -> Half.rbf16(x);
        };
    }

    /** {@code R(a + b)}: one step of the running sum. */
    public float add(float a, float b) {
        return round(a + b);
    }

    /**
     * Parses {@code fp32}, {@code fp16} or {@code bf16} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the input and the accepted values
     */
    public static Accumulation parse(String s) {
        String n = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
        for (Accumulation a : values()) {
            if (a.id.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown accumulation dtype '" + s + "'; accepted: fp32, fp16, bf16");
    }
}
