package dev.flashcomm.eval.cli;

/**
 * {@code --batch N} or {@code --batch auto}: sequences per forward pass, fixed or chosen from the device's free
 * memory once the model is loaded ({@link dev.flashcomm.eval.lm.BatchSizer}).
 *
 * @param fixed the batch, or 0 for auto
 */
record BatchSize(int fixed) {

    static final BatchSize AUTO = new BatchSize(0);

    BatchSize {
        if (fixed < 0) {
            throw new IllegalArgumentException("--batch must be at least 1 or auto, got " + fixed);
        }
    }

    boolean auto() {
        return fixed == 0;
    }

    @Override
    public String toString() {
        return auto() ? "auto" : Integer.toString(fixed);
    }
}
