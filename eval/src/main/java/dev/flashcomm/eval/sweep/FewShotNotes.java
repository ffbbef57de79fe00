package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.FewShotSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * What a sweep says, once at its start and not per cell, about tasks whose few-shot examples come from the evaluated
 * file itself: for most of them the prompts are then not lm-eval's, and the user should know before reading numbers.
 */
final class FewShotNotes {

    private FewShotNotes() {
    }

    /** The notes for {@code tasks}, in a fixed order; none when every task with shots has its pool file. */
    static List<String> of(List<TaskSource> tasks) {
        List<String> notes = new ArrayList<>();
        List<String> trainSplitMissing = new ArrayList<>();
        List<String> ownSplit = new ArrayList<>();
        for (TaskSource task : tasks) {
            if (task.fewshot().shots() == 0 || task.fewshotFile().isPresent()) {
                continue;
            }
            String fewshotFile = task.spec().fewshot().fewshotFile();
            if (fewshotFile != null) {
                // gsm8k, MMLU: their pool has a place under --data-root, which this sweep does not have
                notes.add(task.spec().name() + ": " + task.fewshot().shots() + "-shot examples come from the rest of "
                        + task.file() + ", not from " + fewshotFile + " as in lm-eval; give --fewshot-file "
                        + task.spec().name() + "=FILE for lm-eval's prompts");
            } else if (task.spec().fewshot().split() == FewShotSplit.EVALUATED) {
                ownSplit.add(task.spec().name());
            } else {
                trainSplitMissing.add(task.spec().name());
            }
        }
        if (!trainSplitMissing.isEmpty()) {
            notes.add(String.join(", ", trainSplitMissing) + ": few-shot examples are drawn from the evaluated file,"
                    + " each document left out of its own; lm-eval draws them from the train split, so these prompts"
                    + " are not lm-eval's: give --fewshot-file TASK=TRAIN_FILE for its examples");
        }
        if (!ownSplit.isEmpty()) {
            notes.add(String.join(", ", ownSplit) + ": few-shot examples are drawn from the evaluated file, its only"
                    + " split, as lm-eval does: a document can be one of its own examples");
        }
        return notes;
    }
}
