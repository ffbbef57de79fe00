package dev.flashcomm.datasets;

/**
 * How the evaluated document is recognised among the pool documents drawn for it, where it is to be left out.
 * lm-eval's {@code rm_eval_doc} keeps {@code [x for x in drawn if x != doc]}, comparing whole dataset rows, fields the
 * prompt never shows included; our items keep what the prompt shows, so for a pool in another file the rule per task
 * is what those extra fields make of the comparison.
 */
enum EvalDocMatch {
    /**
     * The pool is the evaluated file: the document at the same position. lm-eval compares rows, which differs only
     * for a file holding the same document twice.
     */
    SAME_POSITION,
    /**
     * A row holds nothing the prompt does not show (PIQA's {@code goal, sol1, sol2, label}, Winogrande's
     * {@code sentence, option1, option2, answer}): a pool document with the same choices and gold answer.
     */
    SAME_CONTENT,
    /**
     * SuperGLUE's rows (BoolQ, COPA) also hold {@code idx}, the row's position in its split: the same choices and
     * gold answer at the same position.
     */
    SAME_CONTENT_AND_POSITION,
    /**
     * HellaSwag's rows name their split ({@code split: "train"} or {@code "val"}, and a dataset-wide {@code ind}):
     * no row of another split equals the document.
     */
    NEVER;

    /** The rule for a pool of {@code format}'s documents that is, or is not, the evaluated file. */
    static EvalDocMatch forPool(TaskFormat format, boolean poolIsEvalFile) {
        if (poolIsEvalFile) {
            return SAME_POSITION;
        }
        return switch (format) {
            case HELLASWAG -> NEVER;
            case BOOLQ, COPA -> SAME_CONTENT_AND_POSITION;
            default -> SAME_CONTENT;
        };
    }

    /** Whether {@code candidate}, a pool document, is {@code doc}, the evaluated one (both as read, no prompt). */
    boolean matches(TaskItem doc, TaskItem candidate) {
        return switch (this) {
            case SAME_POSITION -> doc.index() == candidate.index();
            case SAME_CONTENT -> sameContent(doc, candidate);
            case SAME_CONTENT_AND_POSITION -> doc.index() == candidate.index() && sameContent(doc, candidate);
            case NEVER -> false;
        };
    }

    private static boolean sameContent(TaskItem a, TaskItem b) {
        return a.gold() == b.gold() && a.choices().equals(b.choices());
    }
}
