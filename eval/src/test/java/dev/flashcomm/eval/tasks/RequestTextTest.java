package dev.flashcomm.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RequestTextTest {

    @Test
    void trailingSpaceOfTheContextMovesToTheContinuation() {
        RequestText t = new RequestText("Question: x\nAnswer: ", "yes");
        assertEquals("Question: x\nAnswer:", t.context());
        assertEquals(" yes", t.continuation());
    }

    @Test
    void aWholeRunOfMixedWhitespaceMoves() {
        RequestText t = new RequestText("a \t\n", " b");
        assertEquals("a", t.context());
        assertEquals(" \t\n b", t.continuation());
    }

    @Test
    void pythonSpacesThatJavaDoesNotCallWhitespaceMoveToo() {
        // U+00A0 and U+202F: Python's isspace() is true, Java's isWhitespace() is false.
        RequestText t = new RequestText("x\u00A0\u202F", "y");
        assertEquals("x", t.context());
        assertEquals("\u00A0\u202Fy", t.continuation());
    }

    @Test
    void inlineWhitespaceAndAZeroWidthSpaceStay() {
        RequestText t = new RequestText("a b\u200B", " c");
        assertEquals("a b\u200B", t.context());
        assertEquals(" c", t.continuation());
    }

    @Test
    void aContextOfOnlyWhitespaceBecomesEmpty() {
        RequestText t = new RequestText("  ", "z");
        assertEquals("", t.context());
        assertEquals("  z", t.continuation());
    }

    @Test
    void pairsThatDifferOnlyInWhereTheSpaceSitsAreEqual() {
        assertEquals(new RequestText("Answer:", " no"), new RequestText("Answer: ", "no"));
    }
}
