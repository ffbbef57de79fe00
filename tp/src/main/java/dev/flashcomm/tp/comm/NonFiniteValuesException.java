package dev.flashcomm.tp.comm;

/**
 * The model produced NaN or Inf from weights that were checked finite when loaded: an fp16 overflow, or a
 * checkpoint whose numbers do not work together. The user can act on it (another dtype, another checkpoint), so the
 * command line reports it as bad input, one line, rather than as a bug.
 */
public class NonFiniteValuesException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public NonFiniteValuesException(String message) {
        super(message);
    }
}
