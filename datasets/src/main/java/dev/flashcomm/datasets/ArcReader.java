package dev.flashcomm.datasets;

/** ARC (easy and challenge): lm-eval's {@code "Question: {question}\nAnswer:"} with the choice texts. */
final class ArcReader {
    private ArcReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        if (doc.has("query")) {
            // The shared export already starts the query with "Question: ".
            return JsonlReader.queryChoicesGold(doc, index, "\nAnswer:");
        }
        if (!doc.has("question")) {
            throw doc.unknownLayout("{query, choices, gold} or {question: {stem, choices}, answerKey}");
        }
        LabelledQuestion q = LabelledQuestion.read(doc, "question");
        String context = "Question: " + q.stem() + "\nAnswer:";
        return new TaskItem(index, JsonlReader.choices(context, q.texts()), q.gold());
    }
}
