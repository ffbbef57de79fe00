package dev.flashcomm.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flashcomm.datasets.Choice;
import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.eval.lm.GenerationRequest;
import dev.flashcomm.eval.lm.StopReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** GSM8K's requests (left truncation, stop strings) and scoring of hand-written generations, without a model. */
class GenerateUntilScorerTest {

    private static TaskItem item(int index, String question, String answer) {
        return new TaskItem(index, List.of(new Choice("Question: " + question + "\nAnswer:", " " + answer,
                answer.length())), 0);
    }

    @Test
    void contextsAreLeftTruncatedToLeaveRoomForTheNewTokens() {
        TaskSpec spec = TaskRegistry.GSM8K.withMaxGenTokens(8);
        FakeTokenizer tok = FakeTokenizer.chars(true);
        TaskItem shortItem = item(0, "1+1?", "2\n#### 2");
        TaskItem longItem = item(1, "x".repeat(40), "y\n#### 1");
        List<GenerationRequest> requests = GenerateUntilScorer.requests(spec, List.of(shortItem, longItem), tok, 32,
                Optional.of("</s>"));
        int[] whole = tok.apply(shortItem.goldChoice().context());
        assertArrayEquals(whole, requests.get(0).promptIds(), "a short context is kept whole, BOS included");
        int[] longIds = tok.apply(longItem.goldChoice().context());
        assertEquals(24, requests.get(1).promptIds().length, "max_length 32 - max_gen_toks 8");
        assertArrayEquals(Arrays.copyOfRange(longIds, longIds.length - 24, longIds.length),
                requests.get(1).promptIds(), "the oldest tokens go, as lm-eval's left_truncate_len");
        for (GenerationRequest r : requests) {
            assertEquals(8, r.maxNewTokens());
            assertEquals(List.of("Question:", "</s>", "<|im_end|>"), r.stopSequences(),
                    "the EOS text is already among the task's stops");
            assertEquals(true, r.stopAtEos());
        }
        List<GenerationRequest> qwen = GenerateUntilScorer.requests(spec, List.of(shortItem), tok, 32,
                Optional.of("<|endoftext|>"));
        assertEquals(List.of("Question:", "</s>", "<|im_end|>", "<|endoftext|>"), qwen.get(0).stopSequences());
    }

    @Test
    void aCapThatLeavesNoRoomIsRefused() {
        TaskSpec spec = TaskRegistry.GSM8K.withMaxGenTokens(32);
        InputException e = assertThrows(InputException.class, () -> GenerateUntilScorer.requests(spec,
                List.of(item(0, "q", "a\n#### 1")), FakeTokenizer.chars(true), 32, Optional.empty()));
        assertEquals("gsm8k: max_gen_toks 32 leaves no room for a prompt in the model's 32 positions",
                e.getMessage());
    }

    @Test
    void bothFiltersScoreHandWrittenGenerations() {
        TaskSpec spec = TaskRegistry.GSM8K;
        List<TaskItem> items = List.of(item(0, "a", "She has 3 + 4 = 7.\n#### 7"),
                item(1, "b", "It costs 1,200 dollars.\n#### 1200"),
                item(2, "c", "So 5.\n#### 5"),
                item(3, "d", "Half is 21.\n#### 21"));
        List<String> texts = List.of(
                " She has 3 + 4 = 7.\n#### 7\n\n",   // strict and flexible
                " The price is $1,200.",             // no '####': strict invalid; flexible takes the last number
                " 5 apples, so 6.",                  // flexible takes the last number: 6, wrong
                " #### 21.");                        // strict takes '21.', the ignore rules drop the trailing '.'
        // the responses are "decoded" from the new ids: id i of generation k stands for texts[k] (special token 9
        // decodes to nothing, as lm-eval's tok_decode skips special tokens), then the stop strings cut
        List<Generation> gens = new ArrayList<>();
        for (int k = 0; k < texts.size(); k++) {
            gens.add(new Generation(new int[] {1, 2}, new int[] {k, 9, 9}, new double[] {-0.1, -0.2, -0.3},
                    "ignored", StopReason.STOP_SEQUENCE));
        }
        Function<int[], String> decode = ids -> Arrays.stream(ids)
                .mapToObj(id -> id == 9 ? "" : texts.get(id)).collect(Collectors.joining())
                + (ids[0] == 0 ? "Question: 12" : "");
        TaskResult r = GenerateUntilScorer.result(spec, items, gens, decode, 1.5);
        assertEquals(" She has 3 + 4 = 7.\n#### 7\n\n", ((GenerationOutcome) r.items().get(0)).response(),
                "cut before the next 'Question:', whose number would otherwise win the flexible filter");
        assertEquals(List.of(1.0, 0.0, 0.0, 1.0), r.items().stream().map(o -> o.value(Metric.EXACT_MATCH_STRICT))
                .toList());
        assertEquals(List.of(1.0, 1.0, 0.0, 1.0), r.items().stream().map(o -> o.value(Metric.EXACT_MATCH_FLEXIBLE))
                .toList());
        assertEquals(0.5, r.metric(Metric.EXACT_MATCH_STRICT).value());
        assertEquals(0.75, r.metric(Metric.EXACT_MATCH_FLEXIBLE).value());
        assertEquals(4, r.requests());
        assertEquals(4 * 5, r.tokens(), "prompt and new tokens of every item");
        assertEquals(gens, r.generations());
        assertEquals(List.of(1.0, 0.0, 0.0, 1.0), r.itemScores(Metric.EXACT_MATCH_STRICT).stream()
                .map(s -> s.value()).toList());
    }

    @Test
    void logLikelihoodTasksAreNotItsBusiness() {
        assertThrows(IllegalArgumentException.class, () -> GenerateUntilScorer.requests(TaskRegistry.PIQA,
                List.of(), FakeTokenizer.chars(true), 32, Optional.empty()));
    }
}
