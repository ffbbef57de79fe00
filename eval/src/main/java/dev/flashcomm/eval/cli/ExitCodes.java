package dev.flashcomm.eval.cli;

/** 0 ok, 1 a gate failed, 2 bad input, 3 an unexpected failure (a bug or the engine): CI can tell them apart. */
final class ExitCodes {
    static final int OK = 0;
    static final int GATE_FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int FAILURE = 3;

    private ExitCodes() {
    }
}
