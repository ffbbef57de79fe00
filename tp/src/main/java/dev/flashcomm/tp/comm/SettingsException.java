package dev.flashcomm.tp.comm;

/**
 * Communication settings the user chose that cannot run together or on this model (a ring of fp16, a compressed
 * layer the model does not have). An {@link IllegalArgumentException}, so domain code keeps its contracts, but a
 * distinct type, so the command line reports it as bad input (one line, exit 2) rather than as a bug.
 */
public final class SettingsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SettingsException(String message) {
        super(message);
    }
}
