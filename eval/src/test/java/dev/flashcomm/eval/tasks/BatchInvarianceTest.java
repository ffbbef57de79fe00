package dev.flashcomm.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.datasets.TaskLoader;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.Slow;
import dev.flashcomm.eval.lm.ScoringModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real model scores the same requests alone and in right-padded batches of 7. Causal attention keeps padding out
 * of every scored position, so only float32 rounding may differ: a batch of another shape can make the matmul
 * kernels sum in another order. Measured on 60 piqa items, the numbers are often bit-identical but differ by up to
 * 2.3e-5 on sums of 278 log-probs (stories260K), about 1e-7 per token, so we allow 1e-5 plus 2e-7 per scored token.
 */
@Slow // a few seconds of scoring, but the first test in a JVM also pays for loading the native engine
class BatchInvarianceTest {

    private static double tolerance(int tokens) {
        return 1e-5 + 2e-7 * tokens;
    }

    @Test
    void batchOneAndBatchSevenGiveTheSameLogLikelihoods() {
        List<TaskItem> items = TaskLoader.load(TaskRegistry.PIQA, Fixtures.shared("data/piqa/valid.jsonl"), 30);
        TaskResult one;
        TaskResult seven;
        try (ScoringModel model = ReferenceTaskTest.load("llama3-tiny")) {
            one = new TaskScorer(1).score(TaskRegistry.PIQA, items, model, ReferenceTaskTest.exact(),
                    Progress.NONE);
            seven = new TaskScorer(7).score(TaskRegistry.PIQA, items, model, ReferenceTaskTest.exact(),
                    Progress.NONE);
        }
        assertEquals(one.tokens(), seven.tokens());
        for (int i = 0; i < items.size(); i++) {
            ChoiceOutcome a = (ChoiceOutcome) one.items().get(i);
            ChoiceOutcome b = (ChoiceOutcome) seven.items().get(i);
            assertArrayEquals(a.continuationTokens(), b.continuationTokens(), "item " + i + " continuation tokens");
            for (int c = 0; c < a.logLikelihoods().length; c++) {
                assertEquals(a.logLikelihoods()[c], b.logLikelihoods()[c], tolerance(a.continuationTokens()[c]),
                        "item " + i + " choice " + c);
            }
        }
    }
}
