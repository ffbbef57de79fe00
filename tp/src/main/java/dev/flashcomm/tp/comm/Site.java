package dev.flashcomm.tp.comm;

/** Which row-parallel linear produced the partials of an all-reduce. */
public enum Site {
    ATTENTION("attn"),
    MLP("mlp");

    private final String id;

    Site(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
