package dev.flashcomm.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PyTextTest {
    /** Expected values are Python 3's {@code chr(cp).isspace()}. */
    @ParameterizedTest(name = "U+{0} isspace={1}")
    @CsvSource({"0020, true", "000A, true", "000C, true", "001C, true", "0085, true", "00A0, true", "2007, true",
            "2028, true", "3000, true", "200B, false", "FEFF, false", "0041, false"})
    void isSpaceMatchesPython(String hex, boolean expected) {
        assertEquals(expected, PyText.isSpace(Integer.parseInt(hex, 16)));
    }

    @Test
    void stripRemovesPythonWhitespaceThatJavaKeeps() {
        assertEquals("a b", PyText.strip("\u00a0\t a b \u2007\n"));
        assertEquals("", PyText.strip(" \u3000 "));
        assertEquals("\u200bx", PyText.strip("\u200bx "));
        assertTrue(PyText.isBlank("\u00a0 \t"));
        assertFalse(PyText.isBlank(" x "));
    }

    @Test
    void capitalizeLowersTheRestLikePython() {
        assertEquals("Then he spreads butter", PyText.capitalize("then he SPREADS butter"));
        assertEquals("Élan vital", PyText.capitalize("élan VITAL"));
        assertEquals("Ssa", PyText.capitalize("ßa"));
        assertEquals("\u01c5emal", PyText.capitalize("\u01c6emal"));
        assertEquals("", PyText.capitalize(""));
    }

    @Test
    void lengthCountsCodePoints() {
        assertEquals(7, PyText.length("\uD83C\uDF55 slice"));
    }
}
