package dev.flashcomm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flashcomm.datasets.TextCorpus;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * WikiText-2 test built by the rows rule and encoded with the real Llama tokenizers gives the published token counts:
 * proof that nothing truncates (DJL's default would cut at model_max_length) or drops rows.
 */
class WikiTextTokenCountTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"llama2, 334661", "llama3, 289076"})
    void wikiTextTestEncodesToThePublishedLength(String tokenizer, int expected) {
        String text = TextCorpus.wikitextRaw(Fixtures.shared("data/wikitext-2-raw/wiki.test.raw"));
        try (ModelTokenizer tok = ModelTokenizer.load(Fixtures.shared("tokenizers/" + tokenizer + "/tokenizer.json"))) {
            assertEquals(expected, tok.encode(text).length);
        }
    }
}
