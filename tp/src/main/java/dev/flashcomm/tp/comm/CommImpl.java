package dev.flashcomm.tp.comm;

import java.util.Locale;

/**
 * Where a {@link FormatCommunicator} does its numerics.
 *
 * <ul>
 *   <li>{@link #ENGINE}: DJL engine ops on the partials' own devices; nothing goes to the host unless per-site
 *       errors are requested, and then only four scalars per all-reduce.</li>
 *   <li>{@link #HOST}: the reference oracle: copies every partial to a Java {@code float[]}, runs module
 *       {@code quant}'s pure-Java algorithms, uploads the sum. Slow, and rejects NaN/Inf with the layer's name.</li>
 * </ul>
 * Both give bit-identical sums on CPU fp32 (tested).
 */
public enum CommImpl {
    ENGINE("engine"),
    HOST("host");

    private final String id;

    CommImpl(String id) {
        this.id = id;
    }

    /** The command-line spelling: {@code engine} or {@code host}. */
    public String id() {
        return id;
    }

    /**
     * Parses {@code engine} or {@code host} (case-insensitive, blanks ignored).
     *
     * @throws IllegalArgumentException naming the input and the accepted values
     */
    public static CommImpl parse(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (CommImpl impl : values()) {
            if (impl.id.equals(n)) {
                return impl;
            }
        }
        throw new IllegalArgumentException("unknown communicator implementation '" + name
                + "'; accepted: engine (DJL ops on the partials' devices), host (pure-Java reference)");
    }
}
