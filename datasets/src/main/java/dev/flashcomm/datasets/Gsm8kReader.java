package dev.flashcomm.datasets;

import java.util.List;

/**
 * GSM8K's original release ({@code {question, answer}}) as lm-eval's {@code gsm8k} (version 3) prompts it: context
 * {@code "Question: " + question + "\nAnswer:"}, target the whole answer (reasoning and its {@code "#### n"} line)
 * after the target delimiter {@code " "}, so a few-shot example reads {@code "Question: q\nAnswer: <answer>"}.
 * The one choice is the reference the generation is scored against ({@link GenerationScoring}).
 */
final class Gsm8kReader {
    private Gsm8kReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        if (!doc.has("question")) {
            throw doc.unknownLayout("{question, answer}");
        }
        String context = "Question: " + doc.string("question") + "\nAnswer:";
        return new TaskItem(index, List.of(Choice.of(context, doc.string("answer"))), 0);
    }
}
