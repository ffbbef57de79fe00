package dev.flashcomm.eval.lm;

/** Why a greedy generation ended. */
public enum StopReason {
    /** {@link GenerationRequest#maxNewTokens()} tokens were generated. */
    MAX_NEW_TOKENS("length"),
    /** The decoded new text contains one of the request's stop sequences. */
    STOP_SEQUENCE("stop"),
    /** The model generated its {@code eos_token_id} and the request asked to stop there. */
    EOS("eos");

    private final String id;

    StopReason(String id) {
        this.id = id;
    }

    /** The word written in output files: {@code length}, {@code stop}, {@code eos}. */
    public String id() {
        return id;
    }
}
