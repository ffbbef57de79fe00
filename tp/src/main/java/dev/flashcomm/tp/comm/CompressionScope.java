package dev.flashcomm.tp.comm;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which communication uses the compressed formats; the rest stays 16-bit. Parsed from {@code --compress-sites attn,mlp}
 * and {@code --compress-layers 0-3,6}.
 *
 * @param sites  the sites compressed
 * @param layers the layers compressed, or null for all layers
 */
public record CompressionScope(Set<Site> sites, BitSet layers) {

    public static final CompressionScope ALL = new CompressionScope(EnumSet.allOf(Site.class), null);

    public CompressionScope {
        sites = sites.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(sites));
        layers = layers == null ? null : (BitSet) layers.clone();
    }

    @Override
    public BitSet layers() {
        return layers == null ? null : (BitSet) layers.clone();
    }

    public boolean covers(int layer, Site site) {
        return sites.contains(site) && (layers == null || layers.get(layer));
    }

    /**
     * Checks the scope against a model of {@code numLayers} decoder layers: a layer it names that the model lacks
     * is a typo (or the wrong model), never silently nothing.
     *
     * @throws SettingsException naming the layer and the model's range
     */
    public void requireLayersWithin(int numLayers, String model) {
        if (layers != null && layers.length() > numLayers) {
            throw new SettingsException("--compress-layers: layer " + (layers.length() - 1) + " does not exist; "
                    + model + " has " + numLayers + " layers (0-" + (numLayers - 1) + ")");
        }
    }

    public boolean isAll() {
        return sites.size() == Site.values().length && layers == null;
    }

    /**
     * @param sitesSpec  "all", or a comma list of attn, mlp, dispatch, combine (the last two: expert parallelism)
     * @param layersSpec "all", or a comma list of layer indices and inclusive ranges like {@code 0-3}
     */
    public static CompressionScope parse(String sitesSpec, String layersSpec) {
        Set<Site> sites = EnumSet.noneOf(Site.class);
        for (String s : sitesSpec.split(",")) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            switch (t) {
                case "all":
                    sites.addAll(EnumSet.allOf(Site.class));
                    break;
                case "attn":
                case "attention":
                    sites.add(Site.ATTENTION);
                    break;
                case "mlp":
                    sites.add(Site.MLP);
                    break;
                case "dispatch":
                    sites.add(Site.DISPATCH);
                    break;
                case "combine":
                    sites.add(Site.COMBINE);
                    break;
                default:
                    throw new IllegalArgumentException("unknown communication site '" + s.trim()
                            + "' (use attn, mlp, dispatch, combine or all)");
            }
        }
        BitSet layers = null;
        if (!layersSpec.trim().equalsIgnoreCase("all")) {
            layers = new BitSet();
            for (String part : layersSpec.split(",")) {
                String p = part.trim();
                try {
                    int dash = p.indexOf('-');
                    int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                    int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                    if (from < 0 || to < from) {
                        throw new NumberFormatException();
                    }
                    layers.set(from, to + 1);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad layer range '" + p + "' (use e.g. 0-3,6 or all)");
                }
            }
        }
        return new CompressionScope(sites, layers);
    }

    /** A compact description for result tables, e.g. {@code attn+mlp@all} or {@code mlp@0-3}. */
    public String describe() {
        String s = sites.size() == Site.values().length ? "all"
                : sites.stream().sorted().map(Site::id).reduce((a, b) -> a + "+" + b).orElse("none");
        if (layers == null) {
            return s + "@all";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = layers.nextSetBit(0); i >= 0; ) {
            int end = layers.nextClearBit(i) - 1;
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(i == end ? String.valueOf(i) : i + "-" + end);
            i = layers.nextSetBit(end + 1);
        }
        return s + "@" + sb;
    }
}
