package dev.flashcomm.eval.sweep;

/**
 * {@code --batch N} or {@code --batch auto}: sequences per forward pass, fixed or chosen from the device's free
 * memory once the model is loaded ({@link dev.flashcomm.eval.lm.BatchSizer}).
 *
 * @param fixed the batch, or 0 for auto
 */
public record BatchSize(int fixed) {

    public static final BatchSize AUTO = new BatchSize(0);

    public BatchSize {
        if (fixed < 0) {
            throw new IllegalArgumentException("--batch must be at least 1 or auto, got " + fixed);
        }
    }

    public static BatchSize of(int fixed) {
        if (fixed < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + fixed);
        }
        return new BatchSize(fixed);
    }

    public boolean auto() {
        return fixed == 0;
    }

    /** {@code auto} or the number, as the option takes it and cache keys record it. */
    @Override
    public String toString() {
        return auto() ? "auto" : Integer.toString(fixed);
    }
}
