package dev.flashcomm.quant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ErrorStatsTest {

    @Test
    void relativeL2AndMaxAbs() {
        // diff (0, 1, -0.5): ||d|| = sqrt(1.25); ||exact|| = sqrt(9 + 16 + 0) = 5
        ErrorStats s = ErrorStats.between(new float[] {3, 4, 0}, new float[] {3, 5, -0.5f});
        assertEquals(Math.sqrt(1.25) / 5, s.relativeL2(), 1e-15);
        assertEquals(1.0, s.maxAbsError(), 0.0);
    }

    @Test
    void identicalAndZeroVectors() {
        assertEquals(new ErrorStats(0, 0), ErrorStats.between(new float[] {1, -2}, new float[] {1, -2}));
        assertEquals(new ErrorStats(0, 0), ErrorStats.between(new float[3], new float[3]));
        assertEquals(Double.POSITIVE_INFINITY, ErrorStats.between(new float[2], new float[] {0, 1e-3f}).relativeL2());
    }

    @Test
    void rejectsMismatchedLengthsAndNegativeErrors() {
        assertThrows(IllegalArgumentException.class, () -> ErrorStats.between(new float[2], new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new ErrorStats(-1, 0));
    }
}
