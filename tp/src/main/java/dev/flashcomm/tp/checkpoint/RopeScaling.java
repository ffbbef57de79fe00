package dev.flashcomm.tp.checkpoint;

import java.util.Locale;

/**
 * How rotary position frequencies are derived from {@code rope_theta}. Only the types whose numerics are fully
 * specified here are accepted; anything else is rejected when the config is read, not silently ignored.
 *
 * @param type                 {@code default}, {@code linear} or {@code llama3}
 * @param factor               the scaling factor (linear: positions are divided by it; llama3: low frequencies are)
 * @param lowFreqFactor        llama3 only
 * @param highFreqFactor       llama3 only
 * @param originalMaxPositions llama3 only: {@code original_max_position_embeddings}
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositions) {

    public static final RopeScaling NONE = new RopeScaling("default", 1.0, 0, 0, 0);

    public RopeScaling {
        type = type.toLowerCase(Locale.ROOT);
        if (!(type.equals("default") || type.equals("linear") || type.equals("llama3"))) {
            throw new IllegalArgumentException("unsupported rope_scaling type '" + type
                    + "' (supported: default, linear, llama3)");
        }
        if (!(factor > 0)) {
            throw new IllegalArgumentException("rope_scaling factor must be > 0, got " + factor);
        }
        if (type.equals("llama3") && (originalMaxPositions <= 0 || !(highFreqFactor > lowFreqFactor))) {
            throw new IllegalArgumentException("llama3 rope_scaling needs original_max_position_embeddings > 0 and "
                    + "high_freq_factor > low_freq_factor");
        }
    }

    /**
     * The inverse frequencies for one head, in fp32 as transformers computes them
     * ({@code 1 / theta^(2i/d)}, then the scaling rule).
     */
    public float[] inverseFrequencies(double theta, int headDim) {
        int half = headDim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            // transformers: 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), all in fp32
            float exponent = (float) (2 * i) / (float) headDim;
            float pow = (float) Math.pow((float) theta, exponent);
            inv[i] = 1.0f / pow;
        }
        switch (type) {
            case "linear":
                for (int i = 0; i < half; i++) {
                    inv[i] = (float) (inv[i] / factor);
                }
                break;
            case "llama3":
                applyLlama3(inv);
                break;
            default:
                break;
        }
        return inv;
    }

    /** transformers' _compute_llama3_parameters: long wavelengths are scaled, short kept, the band between blended. */
    private void applyLlama3(float[] inv) {
        double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
        double highFreqWavelen = originalMaxPositions / highFreqFactor;
        for (int i = 0; i < inv.length; i++) {
            double freq = inv[i];
            double wavelen = 2 * Math.PI / freq;
            double out;
            if (wavelen > lowFreqWavelen) {
                out = freq / factor;
            } else if (wavelen < highFreqWavelen) {
                out = freq;
            } else {
                double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out = (1 - smooth) * freq / factor + smooth * freq;
            }
            inv[i] = (float) out;
        }
    }
}
