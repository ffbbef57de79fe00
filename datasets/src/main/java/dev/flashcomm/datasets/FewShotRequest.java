package dev.flashcomm.datasets;

/**
 * How many examples to put in front of each document and the seed of the random sampler (lm-eval's
 * {@code --num_fewshot} and {@code --fewshot_random_seed}). Results should record both.
 */
public record FewShotRequest(int shots, long seed) {
    /** lm-eval's {@code fewshot_random_seed} default ({@code simple_evaluate}). */
    public static final long DEFAULT_SEED = 1234;

    public FewShotRequest {
        if (shots < 0) {
            throw new IllegalArgumentException("shots must be >= 0, got " + shots);
        }
    }

    /** No examples (the description is still prepended), default seed. */
    public static FewShotRequest zeroShot() {
        return new FewShotRequest(0, DEFAULT_SEED);
    }

    /** The task's default number of shots (its YAML's {@code num_fewshot}) with the default seed. */
    public static FewShotRequest defaultsFor(TaskSpec spec) {
        return new FewShotRequest(spec.fewshot().defaultShots(), DEFAULT_SEED);
    }

    /** {@code shots} examples with the default seed. */
    public static FewShotRequest of(int shots) {
        return new FewShotRequest(shots, DEFAULT_SEED);
    }
}
