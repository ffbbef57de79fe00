package dev.flashcomm.datasets;

/** OpenBookQA: lm-eval uses the bare question stem as context, no "Question:" template. */
final class OpenbookqaReader {
    private OpenbookqaReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        if (!doc.has("question") && !doc.has("question_stem")) {
            throw doc.unknownLayout("{question: {stem, choices}, answerKey} or {question_stem, choices, answerKey}");
        }
        LabelledQuestion q = LabelledQuestion.read(doc, "question_stem");
        return new TaskItem(index, JsonlReader.choices(q.stem(), q.texts()), q.gold());
    }
}
