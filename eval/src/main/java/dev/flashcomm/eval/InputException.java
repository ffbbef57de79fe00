package dev.flashcomm.eval;

/** Bad input the user can fix: one line naming the file or option and the problem; the CLI exits 2. */
public final class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InputException(String message) {
        super(message);
    }
}
