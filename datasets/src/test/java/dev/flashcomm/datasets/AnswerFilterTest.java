package dev.flashcomm.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GSM8K's filters and exact match on hand-written generations; every expected value was checked with python3's
 * {@code re} running lm-eval's {@code RegexFilter} and {@code exact_match_hf_evaluate} steps.
 */
class AnswerFilterTest {
    /** generation | strict-match | flexible-extract ({@code \n} written as {@code \\n} and unescaped below). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "The answer is 18.\\n#### 18|18|18",
        "so $1,234.50 total.\\n#### 1,234.50|1,234.50|1,234.50",
        "She pays $18.|[invalid]|$18.",
        "We get -3 then 5|[invalid]|5",
        "It is -3|[invalid]|-3",
        "1,000 apples and -2.5|[invalid]|-2.5",
        "no numbers here|[invalid]|[invalid]",
        "#### -7|-7|-7",
        "#### 18\\n\\nQuestion:|18|18",
        "It is 7. Then 42.|[invalid]|42.",
        "#### 3.\\n|3.|3.",
        "#### $20|[invalid]|$20",
        "..|[invalid]|.."})
    void filtersLikeLmEval(String generation, String strict, String flexible) {
        String text = generation.replace("\\n", "\n");
        assertEquals(strict, AnswerFilter.STRICT_MATCH.apply(text));
        assertEquals(flexible, AnswerFilter.FLEXIBLE_EXTRACT.apply(text));
    }

    @Test
    void severalStrictMatchesTakeTheFirstAndFlexibleTheLast() {
        String text = "#### 5\n#### 6 and 70";
        assertEquals("5", AnswerFilter.STRICT_MATCH.apply(text));
        assertEquals("70", AnswerFilter.FLEXIBLE_EXTRACT.apply(text));
        assertEquals("[invalid]", AnswerFilter.STRICT_MATCH.apply(""));
        assertEquals("[invalid]", AnswerFilter.STRICT_MATCH.apply(null));
        assertEquals("strict-match", AnswerFilter.STRICT_MATCH.lmEvalName());
        assertEquals("flexible-extract", AnswerFilter.FLEXIBLE_EXTRACT.lmEvalName());
    }

    /** text | normalised by GSM8K's ignore rules ({@code \n} as {@code \\n}). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Janet sells 9.\\nShe makes $18.\\n#### 18|18",
        " The total is 5.\\n#### 1,234|1234",
        "1,234.50|1234.50",
        "$18.|18",
        // Python's $ matches before a final newline: the period goes, the newline stays
        "18.\\n|18\\n",
        "A.B.|a.b",
        "[invalid]|[invalid]"})
    void gsm8kIgnoreRules(String text, String normalised) {
        assertEquals(normalised.replace("\\n", "\n"), ExactMatch.GSM8K.normalize(text.replace("\\n", "\n")));
    }

    @Test
    void exactMatchAppliesTheRulesToBothSides() {
        assertEquals(1, ExactMatch.GSM8K.score("1,234", "so it is\n#### 1234"));
        assertEquals(1, ExactMatch.GSM8K.score("$18.", "#### 18"));
        assertEquals(0, ExactMatch.GSM8K.score("18.0", "#### 18"));
        assertEquals(0, ExactMatch.GSM8K.score("[invalid]", "#### 18"));
        ExactMatch punct = new ExactMatch(List.of(), false, true);
        assertEquals("Its 5", punct.normalize("It's 5!"));
        assertEquals(0, punct.score("A", "a"));
    }

    @Test
    void scoresAGenerationAgainstTheItemsReference() {
        TaskItem item = new TaskItem(0, List.of(Choice.of("Question: q\nAnswer:",
                "She makes 9 * 2 = $<<9*2=18>>18.\n#### 1,018")), 0);
        assertEquals("She makes 9 * 2 = $<<9*2=18>>18.\n#### 1,018", GenerationScoring.reference(item));
        String strictRight = " 9 * 2 = 18, plus 1000.\n#### 1,018";
        assertEquals(1, GenerationScoring.score(Metric.EXACT_MATCH_STRICT, strictRight, item));
        assertEquals(1, GenerationScoring.score(Metric.EXACT_MATCH_FLEXIBLE, strictRight, item));
        String noHashes = " The answer is $1,018.";
        assertEquals(0, GenerationScoring.score(Metric.EXACT_MATCH_STRICT, noHashes, item));
        assertEquals(1, GenerationScoring.score(Metric.EXACT_MATCH_FLEXIBLE, noHashes, item));
        String lastNumberWrong = " It is 1018 for 2 days";
        assertEquals(0, GenerationScoring.score(Metric.EXACT_MATCH_FLEXIBLE, lastNumberWrong, item));
        assertThrows(IllegalArgumentException.class, () -> GenerationScoring.score(Metric.ACC, "x", item));
    }

    @Test
    void generationStopsAtTheFirstStopString() {
        GenerationSpec gen = TaskRegistry.GSM8K.generation();
        assertEquals(" 2 + 2 = 4\n#### 4\n\n", gen.truncate(" 2 + 2 = 4\n#### 4\n\nQuestion: next</s>"));
        assertEquals(" a", gen.truncate(" a<|im_end|>b Question: c"));
        assertEquals(" no stop", gen.truncate(" no stop"));
        assertEquals(256, gen.maxGenTokens());
    }
}
