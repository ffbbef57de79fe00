package dev.flashcomm.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.datasets.Choice;
import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.results.ItemScore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scoring with a character tokenizer (BOS = 0, else id = code point) and {@link ArithmeticScorer}, so every
 * log-likelihood is minus the continuation's code points over 100: " yes" = −(32+121+101+115)/100 = −3.69.
 */
class TaskScorerTest {

    private static final double TOL = 1e-6;

    private static List<TaskItem> multipleChoice() {
        List<Choice> yesNo = List.of(Choice.of("Q: a\nAnswer:", "yes"), Choice.of("Q: a\nAnswer:", "no"));
        return List.of(
                new TaskItem(0, yesNo, 1),
                new TaskItem(1, List.of(Choice.of("X", "a"), Choice.of("X", "b")), 0),
                new TaskItem(2, yesNo, 1));
    }

    private static TaskResult scoreMultipleChoice(int batch, ArithmeticScorer model) {
        return new TaskScorer(batch).score(TaskRegistry.PIQA, multipleChoice(),
                new RequestEncoder(FakeTokenizer.chars(true), 512), model, Progress.NONE);
    }

    @Test
    void multipleChoicePredictionsAndAccuracies() {
        TaskResult r = scoreMultipleChoice(2, new ArithmeticScorer());
        ChoiceOutcome first = (ChoiceOutcome) r.items().get(0);
        assertArrayEquals(new double[] {-3.69, -2.53}, first.logLikelihoods(), TOL);
        assertArrayEquals(new int[] {4, 3}, first.continuationTokens());
        assertEquals(1, first.pred(), "-2.53 > -3.69");
        assertEquals(0, first.predNorm(), "-3.69/3 = -1.23 > -2.53/2 = -1.265");
        assertTrue(first.correct());
        assertFalse(first.correctNorm());

        ChoiceOutcome second = (ChoiceOutcome) r.items().get(1);
        assertArrayEquals(new double[] {-1.29, -1.30}, second.logLikelihoods(), TOL);
        assertEquals(0, second.pred());
        assertEquals(0, second.predNorm());

        assertEquals(3, r.n());
        assertEquals(1.0, r.metric(Metric.ACC).value(), TOL);
        assertEquals(0.0, r.metric(Metric.ACC).stderr(), TOL);
        // acc_norm per item 0, 1, 0: mean 1/3, sample variance 1/3, stderr sqrt(1/3 / 3) = 1/3
        assertEquals(1.0 / 3, r.metric(Metric.ACC_NORM).value(), TOL);
        assertEquals(1.0 / 3, r.metric(Metric.ACC_NORM).stderr(), TOL);
        assertEquals(List.of(Metric.ACC, Metric.ACC_NORM), r.metrics().stream().map(MetricValue::metric).toList());
        assertEquals(List.of(new ItemScore(0, 0, 1), new ItemScore(1, 1, 1), new ItemScore(2, 0, 1)),
                r.itemScores(Metric.ACC_NORM));
    }

    @Test
    void identicalPairsAreScoredOnce() {
        ArithmeticScorer model = new ArithmeticScorer();
        TaskResult r = scoreMultipleChoice(1, model);
        assertEquals(4, r.requests(), "item 2 repeats item 0's two requests");
        assertEquals(4, model.batches().size());
        // windows: BOS + "Q: a\nAnswer:" (12 chars) + 4 or 3, and BOS + "X" + 2 twice
        assertEquals(17 + 16 + 4 + 4, r.tokens());
    }

    @Test
    void batchesAreSortedLongestFirstAndNeverExceedTheBatchSize() {
        ArithmeticScorer model = new ArithmeticScorer();
        scoreMultipleChoice(3, model);
        List<Integer> lengths = new ArrayList<>();
        for (List<int[]> b : model.batches()) {
            assertTrue(b.size() <= 3);
            b.forEach(s -> lengths.add(s.length));
        }
        assertEquals(List.of(17, 16, 4, 4), lengths);
        assertEquals(List.of(3, 1), model.batches().stream().map(List::size).toList());
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 2, 3, 7})
    void theBatchSizeDoesNotChangeAnyNumber(int batch) {
        TaskResult one = scoreMultipleChoice(1, new ArithmeticScorer());
        TaskResult other = scoreMultipleChoice(batch, new ArithmeticScorer());
        assertEquals(one.items(), other.items());
        assertEquals(one.metrics(), other.metrics());
    }

    @Test
    void targetContinuationAccuracyAndPerplexity() {
        // " bd" = 32, 98, 100: all even, so greedy; " ab" has 97, so not. lls −2.30 and −2.27.
        List<TaskItem> items = List.of(new TaskItem(0, List.of(Choice.of("c1", "bd")), 0),
                new TaskItem(1, List.of(Choice.of("c2", "ab")), 0));
        List<long[]> progress = new ArrayList<>();
        TaskResult r = new TaskScorer(8).score(TaskRegistry.LAMBADA_OPENAI, items,
                new RequestEncoder(FakeTokenizer.chars(true), 512), new ArithmeticScorer(),
                (done, total) -> progress.add(new long[] {done, total}));
        ContinuationOutcome first = (ContinuationOutcome) r.items().get(0);
        assertEquals(-2.30, first.logLikelihood(), TOL);
        assertTrue(first.greedy());
        assertEquals(3, first.continuationTokens());
        assertFalse(((ContinuationOutcome) r.items().get(1)).greedy());

        assertEquals(0.5, r.metric(Metric.ACC).value(), TOL);
        assertEquals(0.5, r.metric(Metric.ACC).stderr(), TOL);
        double ppl = Math.exp(2.285);
        assertEquals(ppl, r.metric(Metric.PERPLEXITY).value(), 1e-5);
        // delta method: ppl · sd(ll)/√n, sd of {−2.30, −2.27} = 0.015·√2, so se(mean) = 0.015
        assertEquals(ppl * 0.015, r.metric(Metric.PERPLEXITY).stderr(), 1e-5);
        List<ItemScore> nll = r.itemScores(Metric.PERPLEXITY);
        assertEquals(2.30, nll.get(0).value(), TOL, "per-item NLL for paired tests");
        assertEquals(2.27, nll.get(1).value(), TOL);
        assertEquals(1, nll.get(1).weight(), "weight 1: lambada's perplexity averages over items, not tokens");
        assertEquals(1, progress.size());
        assertArrayEquals(new long[] {2, 2}, progress.get(0));
    }

    @Test
    void aTruncatedWindowStillScoresExactlyTheContinuation() {
        // BOS + 8 context chars + 4 continuation chars = 13 tokens, cut to max_len + 1 = 6.
        List<TaskItem> items = List.of(new TaskItem(0, List.of(Choice.of("abcdefgh", "yes")), 0));
        ArithmeticScorer model = new ArithmeticScorer();
        TaskResult r = new TaskScorer(1).score(TaskRegistry.LAMBADA_OPENAI, items,
                new RequestEncoder(FakeTokenizer.chars(true), 5), model, Progress.NONE);
        assertArrayEquals(new int[] {'g', 'h', ' ', 'y', 'e', 's'}, model.batches().get(0).get(0));
        assertEquals(-3.69, ((ContinuationOutcome) r.items().get(0)).logLikelihood(), TOL);
        assertEquals(6, r.tokens());
    }

    @Test
    void anUnscorableRequestNamesTaskItemAndChoice() {
        List<TaskItem> items = List.of(new TaskItem(5, List.of(Choice.of("c", "x"), new Choice("c", "", 0)), 0));
        InputException e = assertThrows(InputException.class, () -> new TaskScorer(1).score(TaskRegistry.PIQA,
                items, new RequestEncoder(FakeTokenizer.chars(true), 512), new ArithmeticScorer(), Progress.NONE));
        assertTrue(e.getMessage().startsWith("piqa item 5, choice 1: continuation \"\" encodes to no tokens"),
                e.getMessage());
    }

    @Test
    void anEmptyChoiceNeverWinsAccNorm() {
        // ll(" ") = −0.32 beats ll(" z") = −1.54, but an empty choice text cannot be normalised.
        List<TaskItem> items = List.of(new TaskItem(0, List.of(new Choice("c", " ", 0), Choice.of("c", "z")), 1));
        ChoiceOutcome o = (ChoiceOutcome) new TaskScorer(1).score(TaskRegistry.PIQA, items,
                new RequestEncoder(FakeTokenizer.chars(true), 512), new ArithmeticScorer(), Progress.NONE)
                .items().get(0);
        assertEquals(0, o.pred());
        assertEquals(1, o.predNorm());
    }

    @Test
    void metricsATaskTypeCannotProduceAreRejected() {
        TaskSpec bad = new TaskSpec("mc_ppl", TaskRegistry.PIQA.type(), List.of(Metric.PERPLEXITY), 1, "x.jsonl",
                TaskRegistry.PIQA.format());
        assertThrows(IllegalArgumentException.class, () -> new TaskScorer(1).score(bad, multipleChoice(),
                new RequestEncoder(FakeTokenizer.chars(true), 512), new ArithmeticScorer(), Progress.NONE));
    }
}
