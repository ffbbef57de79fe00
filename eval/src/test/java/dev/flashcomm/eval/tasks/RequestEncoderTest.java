package dev.flashcomm.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.InputException;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RequestEncoderTest {

    /** Pieces chosen so that the space before "yes" only becomes part of " yes" when it moves there. */
    private static final Map<String, Integer> PIECES = Map.of(
            "Question:", 1, " hi", 2, "\n", 3, "Answer:", 4, " yes", 5, " ", 6, "yes", 7);

    private static FakeTokenizer llamaLike() {
        return new FakeTokenizer(PIECES, true);
    }

    @Test
    void continuationIsTheWholeEncodingPastTheContextTokens() {
        EncodedRequest r = new RequestEncoder(llamaLike(), 100)
                .encode(new RequestText("Question: hi\nAnswer:", " yes"));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, r.window());
        assertEquals(1, r.continuationLength());
        assertArrayEquals(new int[] {5}, r.continuation());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, r.input());
    }

    @Test
    void theMovedSpaceGluesToTheContinuationLikeLmEval() {
        // Without the move, ctx would end in the lone " " (6) and "yes" would be 7; with it, the pair encodes as above.
        EncodedRequest r = new RequestEncoder(llamaLike(), 100)
                .encode(new RequestText("Question: hi\nAnswer: ", "yes"));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, r.window());
        assertEquals(1, r.continuationLength());
    }

    @Test
    void longInputsLoseTheirOldestContextTokensDownToMaxLenPlusOne() {
        EncodedRequest r = new RequestEncoder(llamaLike(), 4).encode(new RequestText("Question: hi\nAnswer:", " yes"));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, r.window());
        assertArrayEquals(new int[] {1, 2, 3, 4}, r.input(), "lm-eval's input is 4 = max_len tokens");

        EncodedRequest multi = new RequestEncoder(llamaLike(), 3)
                .encode(new RequestText("Question: hi\nAnswer:", " yes yes yes"));
        assertArrayEquals(new int[] {4, 5, 5, 5}, multi.window());
        assertEquals(3, multi.continuationLength());
    }

    @Test
    void aContinuationLongerThanTheModelIsRefused() {
        RequestEncoder enc = new RequestEncoder(llamaLike(), 3);
        InputException e = assertThrows(InputException.class,
                () -> enc.encode(new RequestText("Answer:", " yes yes yes yes")));
        assertTrue(e.getMessage().contains("4 tokens, more than the model's 3 positions"), e.getMessage());
    }

    @Test
    void anEmptyContinuationIsRefused() {
        RequestEncoder enc = new RequestEncoder(llamaLike(), 10);
        InputException e = assertThrows(InputException.class, () -> enc.encode(new RequestText("Answer:", "")));
        assertTrue(e.getMessage().contains("encodes to no tokens"), e.getMessage());
    }

    @Test
    void anEmptyContextIsConditionedOnTheBosWhenTheTokenizerAddsOne() {
        EncodedRequest r = new RequestEncoder(llamaLike(), 10).encode(new RequestText("", " yes"));
        assertArrayEquals(new int[] {0, 5}, r.window());
        assertEquals(1, r.continuationLength());
    }

    @Test
    void anEmptyContextWithoutBosNeedsAPrefixToken() {
        FakeTokenizer qwenLike = new FakeTokenizer(PIECES, false);
        assertThrows(InputException.class, () -> new RequestEncoder(qwenLike, 10).encode(new RequestText("", " yes")));
        EncodedRequest r = new RequestEncoder(qwenLike, 10, OptionalInt.of(99)).encode(new RequestText(" ", "yes"));
        assertArrayEquals(new int[] {99, 5}, r.window());
        assertEquals(1, r.continuationLength());
    }

    @Test
    void withoutBosTheContextIsNotPrefixed() {
        EncodedRequest r = new RequestEncoder(new FakeTokenizer(PIECES, false), 10)
                .encode(new RequestText("Answer:", " yes"));
        assertArrayEquals(new int[] {4, 5}, r.window());
    }

    @Test
    void eachDistinctContextIsEncodedOnce() {
        FakeTokenizer tok = llamaLike();
        RequestEncoder enc = new RequestEncoder(tok, 10);
        enc.encode(new RequestText("Answer:", " yes"));
        enc.encode(new RequestText("Answer:", " hi"));
        enc.encode(new RequestText("Answer: ", "yes"));
        assertEquals(1 + 3, tok.calls(), "one context encoding, three whole encodings");
    }
}
