package dev.flashcomm.results;

/**
 * Per layer and all-reduce site, the error a communication format introduced against the exact sum, over a whole
 * run: the diagnostics table that shows where low-bit communication hurts.
 *
 * @param site       "attn" or "mlp", or with expert parallelism "dispatch" or "combine"
 * @param format     the format that site actually used (fp16 where selective compression left it out)
 * @param elements   partial-sum elements reduced at this site over the run
 * @param relativeL2 ‖approx − exact‖₂ / ‖exact‖₂ over all of them
 * @param maxAbs     largest absolute error seen
 * @param overflows  elements above 65504 at a conversion to fp16 before communication (saturated or made Inf)
 * @param expertLoad on an expert-parallel dispatch row, the (token, expert) pairs each rank's experts received, as
 *                   {@code N0/N1/...}; empty elsewhere
 * @param routingChanged on a {@code router} row of a sparse layer, the fraction of the {@code elements} tokens whose
 *                   set of experts differs from the baseline cell's at that layer (routing agreement is 1 minus it);
 *                   NaN elsewhere
 */
public record CommErrorRow(String model, int tp, String comm, String commPath, String data, int layer, String site,
                           String format, long elements, double relativeL2, double maxAbs, long overflows,
                           String expertLoad, double routingChanged) {

    /** The site of routing-agreement rows. */
    public static final String ROUTER = "router";

    /** A row without routing agreement. */
    public CommErrorRow(String model, int tp, String comm, String commPath, String data, int layer, String site,
                        String format, long elements, double relativeL2, double maxAbs, long overflows,
                        String expertLoad) {
        this(model, tp, comm, commPath, data, layer, site, format, elements, relativeL2, maxAbs, overflows,
                expertLoad, Double.NaN);
    }

    /** A sparse layer's routing agreement with the baseline: {@code tokens} compared, {@code changed} of them. */
    public static CommErrorRow router(String model, int tp, String comm, String commPath, String data, int layer,
                                      long tokens, double changed) {
        return new CommErrorRow(model, tp, comm, commPath, data, layer, ROUTER, "-", tokens, 0, 0, 0, "", changed);
    }

    /** A row without expert-parallel load (every all-reduce site). */
    public CommErrorRow(String model, int tp, String comm, String commPath, String data, int layer, String site,
                        String format, long elements, double relativeL2, double maxAbs, long overflows) {
        this(model, tp, comm, commPath, data, layer, site, format, elements, relativeL2, maxAbs, overflows, "",
                Double.NaN);
    }

    /** Per-rank counts as the EXPERT_LOAD cell: {@code 120/98/130/100}, or empty when there are none. */
    public static String load(long[] perRank) {
        StringBuilder sb = new StringBuilder();
        for (long n : perRank) {
            sb.append(sb.length() == 0 ? "" : "/").append(n);
        }
        return sb.toString();
    }

    public CommErrorRow {
        Checks.requireName("model", model);
        Checks.requireName("comm", comm);
        if (layer < 0 || tp < 1 || elements < 0 || overflows < 0) {
            throw new IllegalArgumentException("layer, tp and elements must be non-negative (tp >= 1)");
        }
        expertLoad = expertLoad == null ? "" : expertLoad;
        if (!Double.isNaN(routingChanged) && !(routingChanged >= 0 && routingChanged <= 1)) {
            throw new IllegalArgumentException("ROUTING_CHANGED must be a fraction between 0 and 1, got "
                    + routingChanged);
        }
        if (!expertLoad.matches("|[0-9]{1,18}(/[0-9]{1,18})*")) {
            throw new IllegalArgumentException("EXPERT_LOAD must be counts separated by '/', got '"
                    + (expertLoad.length() > 40 ? expertLoad.substring(0, 40) + "..." : expertLoad) + "'");
        }
    }
}
