package dev.flashcomm.quant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantSpecTest {

    @ParameterizedTest(name = "{0} bits sym={1}: qmax {2}")
    @CsvSource({"2, false, 3", "2, true, 1", "3, false, 7", "3, true, 3", "4, false, 15", "4, true, 7", "8, false, 255", "8, true, 127"})
    void qmax(int bits, boolean symmetric, int qmax) {
        assertEquals(qmax, new QuantSpec(bits, symmetric, 128).qmax());
    }

    @Test
    void rejectsBadBitsAndGroups() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new QuantSpec(9, false, 128));
        assertTrue(e.getMessage().contains("9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new QuantSpec(1, true, 128));
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> new QuantSpec(4, false, 0));
        assertTrue(g.getMessage().contains("group size"), g.getMessage());
    }

    // Hand-computed: per group ceil(len*bits/8) code bytes + 2 (scale) + 2 (asym min).
    @ParameterizedTest(name = "{0}-bit sym={1} g{2} [{3},{4}] = {5} bytes")
    @CsvSource({
        "4, false, 128, 3, 256, 408",   // 6 groups x (64 + 4)
        "4, false, 128, 3, 200, 324",   // per row (64 + 4) + (36 + 4)
        "3, false, 7,   1, 10,  13",    // (3 + 4) + (2 + 4)
        "4, true,  4,   2, 6,   14",    // per row (2 + 2) + (1 + 2)
        "8, true,  1000, 5, 3,  25",    // one group per row: 3 + 2
        "2, false, 1,   2, 3,   30",    // every element its own group: 1 + 4
        "4, false, 128, 0, 256, 0"})
    void payloadBytes(int bits, boolean symmetric, int group, int rows, int cols, int bytes) {
        assertEquals(bytes, new QuantSpec(bits, symmetric, group).payloadBytes(rows, cols));
    }

    @Test
    void layoutOffsetsOfGroups() {
        GroupLayout layout = new GroupLayout(new QuantSpec(3, false, 7), 10);
        assertEquals(2, layout.groupsPerRow());
        assertEquals(7, layout.groupLength(0));
        assertEquals(3, layout.groupLength(1));
        assertEquals(13, layout.rowBytes());
        // group 3 = row 1, second group: starts at element 10 + 7, byte 13 + 7
        assertEquals(17, layout.elementOffset(3));
        assertEquals(20, layout.byteOffset(3));
        assertEquals(30, layout.elementOffset(6));
        assertEquals(39, layout.byteOffset(6));
        assertEquals(6 + 7, layout.bytesOf(1, 2));

        GroupLayout wide = new GroupLayout(new QuantSpec(4, true, 4096), 5);
        assertEquals(1, wide.groupsPerRow());
        assertEquals(5, wide.groupLength(0));
        assertEquals(10, wide.elementOffset(2));
        assertEquals(2 * (3 + 2), wide.byteOffset(2));
    }
}
