package dev.flashcomm.datasets;

import java.util.ArrayList;
import java.util.List;

/**
 * The question layout shared by ARC and OpenBookQA: a stem, lettered (or numbered) choices and an answer key.
 *
 * <p>The gold index is the position of the choice whose label equals the answer key, as lm-eval's
 * {@code choices.label.index(answerKey)}, so letter keys (A-E) and the digit keys (1-5) of some ARC items both work.
 */
record LabelledQuestion(String stem, List<String> texts, int gold) {
    LabelledQuestion {
        texts = List.copyOf(texts);
    }

    /**
     * Reads either the original release ({@code question: {stem, choices: [{text, label}]}}) or the Hugging Face
     * layout ({@code <flatStemKey>: "...", choices: {text: [...], label: [...]}}), plus {@code answerKey}.
     */
    static LabelledQuestion read(JsonDoc doc, String flatStemKey) {
        String stem;
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        if (doc.isObject("question")) {
            JsonDoc question = doc.object("question");
            stem = question.string("stem");
            for (JsonDoc choice : question.objects("choices")) {
                texts.add(choice.string("text"));
                labels.add(PyText.strip(choice.string("label")));
            }
        } else {
            stem = doc.string(flatStemKey);
            JsonDoc choices = doc.object("choices");
            texts.addAll(choices.strings("text"));
            choices.strings("label").forEach(l -> labels.add(PyText.strip(l)));
            if (labels.size() != texts.size()) {
                throw doc.error("\"choices\" has " + texts.size() + " texts but " + labels.size() + " labels");
            }
        }
        if (texts.isEmpty()) {
            throw doc.error("the question has no choices");
        }
        String key = PyText.strip(doc.string("answerKey"));
        int gold = labels.indexOf(key);
        if (gold < 0) {
            throw doc.error("answerKey \"" + key + "\" matches no choice label " + labels);
        }
        return new LabelledQuestion(stem, texts, gold);
    }
}
