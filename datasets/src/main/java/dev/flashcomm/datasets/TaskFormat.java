package dev.flashcomm.datasets;

/**
 * The family of file layouts a task reads. Each family accepts both the layout in the shared data and the original
 * public release, detected per line (or per file for HellaSwag's text format).
 */
public enum TaskFormat {
    /** {@code {goal, sol1, sol2}} with {@code <name>-labels.lst} next to it, or with an inline {@code label}. */
    PIQA,
    /** {@code {query, choices, gold}} or ARC's {@code {question:{stem, choices:[{text,label}]}, answerKey}}. */
    ARC,
    /** llama.cpp's 6-line text blocks or the original {@code {ctx_a, ctx_b, activity_label, endings, label}}. */
    HELLASWAG,
    /** {@code {context_options, continuation, gold}} or the original {@code {sentence, option1, option2, answer}}. */
    WINOGRANDE,
    /** {@code {context, continuation}} or the original {@code {text}}. */
    LAMBADA,
    /** {@code {query, choices, gold}}, SuperGLUE's {@code {question, passage, label}} or Google's {@code answer}. */
    BOOLQ,
    /** The original {@code {question:{stem, choices:[{text,label}]}, answerKey}}. */
    OPENBOOKQA,
    /** {@code {query, choices, gold}} or SuperGLUE's {@code {premise, choice1, choice2, question, label}}. */
    COPA,
    /** GSM8K's original release: {@code {question, answer}}, the answer's last line {@code "#### <number>"}. */
    GSM8K,
    /** MMLU's original release: headerless CSV {@code question,A,B,C,D,answer} (RFC 4180), one file per subject. */
    MMLU
}
