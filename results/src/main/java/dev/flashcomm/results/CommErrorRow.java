package dev.flashcomm.results;

/**
 * Per layer and all-reduce site, the error a communication format introduced against the exact sum, over a whole
 * run: the diagnostics table that shows where low-bit communication hurts.
 *
 * @param site       "attn" or "mlp"
 * @param format     the format that site actually used (fp16 where selective compression left it out)
 * @param elements   partial-sum elements reduced at this site over the run
 * @param relativeL2 ‖approx − exact‖₂ / ‖exact‖₂ over all of them
 * @param maxAbs     largest absolute error seen
 * @param overflows  elements above 65504 at a conversion to fp16 before communication (saturated or made Inf)
 */
public record CommErrorRow(String model, int tp, String comm, String commPath, String data, int layer, String site,
                           String format, long elements, double relativeL2, double maxAbs, long overflows) {

    public CommErrorRow {
        Checks.requireName("model", model);
        Checks.requireName("comm", comm);
        if (layer < 0 || tp < 1 || elements < 0 || overflows < 0) {
            throw new IllegalArgumentException("layer, tp and elements must be non-negative (tp >= 1)");
        }
    }
}
