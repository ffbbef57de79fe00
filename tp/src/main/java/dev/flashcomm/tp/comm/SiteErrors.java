package dev.flashcomm.tp.comm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per layer and site, the error the communication introduced against the exact sum, accumulated over every
 * all-reduce of a run: relative L2 over all elements seen, the largest absolute error, and the elements a cast to fp16 overflowed. This is the view that
 * explains why INT6 spends its 8 bits on the all-gather.
 */
public final class SiteErrors {

    /**
     * One row of the diagnostics table.
     *
     * @param expertLoad on a dispatch row, the (token, expert) pairs each rank's experts received over the run (the
     *                   load imbalance of expert parallelism); empty elsewhere
     */
    public record Row(int layer, Site site, String format, long elements, double relativeL2, double maxAbs,
                      long overflows, long[] expertLoad) {
        public Row {
            expertLoad = expertLoad == null ? new long[0] : expertLoad.clone();
        }

        @Override
        public long[] expertLoad() {
            return expertLoad.clone();
        }
    }

    private static final class Acc {
        String format;
        long elements;
        double sqErr;
        double sqRef;
        double maxAbs;
        long overflows;
        long[] load = new long[0];
    }

    private final Map<String, Acc> accs = new TreeMap<>();

    /**
     * Adds one all-reduce whose error sums were computed elsewhere (on the device, see {@code EngineErrorStats}).
     *
     * @param sqErr  sum of squared errors against the exact sum
     * @param sqRef  sum of squares of the exact sum
     * @param maxAbs    largest absolute error
     * @param overflows elements above 65504 at a conversion to fp16 (see {@link CommCast})
     */
    void add(int layer, Site site, String format, long elements, double sqErr, double sqRef, double maxAbs,
             long overflows) {
        Acc a = acc(layer, site);
        a.overflows += overflows;
        a.format = format;
        a.sqErr += sqErr;
        a.sqRef += sqRef;
        a.maxAbs = Math.max(a.maxAbs, maxAbs);
        a.elements += elements;
    }

    /** Adds the pairs each rank's experts received in one dispatch of {@code layer}. */
    void addExpertLoad(int layer, long[] perRank) {
        Acc a = acc(layer, Site.DISPATCH);
        if (a.load.length < perRank.length) {
            a.load = java.util.Arrays.copyOf(a.load, perRank.length);
        }
        for (int r = 0; r < perRank.length; r++) {
            a.load[r] += perRank[r];
        }
    }

    private Acc acc(int layer, Site site) {
        return accs.computeIfAbsent(String.format("%05d-%s", layer, site.name()), k -> new Acc());
    }

    void add(int layer, Site site, String format, float[] exact, float[] approx, long overflows) {
        double se = 0;
        double sr = 0;
        double mx = 0;
        for (int i = 0; i < exact.length; i++) {
            double e = (double) approx[i] - exact[i];
            se += e * e;
            sr += (double) exact[i] * exact[i];
            mx = Math.max(mx, Math.abs(e));
        }
        add(layer, site, format, exact.length, se, sr, mx, overflows);
    }

    public List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (Map.Entry<String, Acc> e : accs.entrySet()) {
            int layer = Integer.parseInt(e.getKey().substring(0, 5));
            Site site = Site.valueOf(e.getKey().substring(6));
            Acc a = e.getValue();
            out.add(new Row(layer, site, a.format, a.elements,
                    a.sqRef == 0 ? 0 : Math.sqrt(a.sqErr / a.sqRef), a.maxAbs, a.overflows, a.load));
        }
        return out;
    }
}
