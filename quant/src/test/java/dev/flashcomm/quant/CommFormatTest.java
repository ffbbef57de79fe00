package dev.flashcomm.quant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommFormatTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "int4,            int4-asym-g128, 4, 4, false, 128",
        "int4-asym-g128,  int4-asym-g128, 4, 4, false, 128",
        "int4-sym-g32,    int4-sym-g32,   4, 4, true,  32",
        "int8-g64,        int8-asym-g64,  8, 8, false, 64",
        "int6,            int6-asym-g128, 4, 8, false, 128",
        "int6-sym,        int6-sym-g128,  4, 8, true,  128",
        "int3-g7,         int3-asym-g7,   3, 3, false, 7",
        "int2-sym-g1,     int2-sym-g1,    2, 2, true,  1",
        "' INT4-SYM '   , int4-sym-g128,  4, 4, true,  128"})
    void parsesFlashNames(String input, String canonical, int rsBits, int agBits, boolean symmetric, int group) {
        CommFormat f = CommFormat.parse(input);
        assertEquals(CommFormat.Kind.FLASH, f.kind());
        assertEquals(canonical, f.name());
        assertEquals(canonical, f.toString());
        assertEquals(new QuantSpec(rsBits, symmetric, group), f.reduceScatter());
        assertEquals(new QuantSpec(agBits, symmetric, group), f.allGather());
        assertEquals(f, CommFormat.parse(f.name()), "canonical name parses back");
    }

    @Test
    void parsesTheUnquantizedFormats() {
        assertSame(CommFormat.EXACT, CommFormat.parse("exact"));
        assertEquals(CommFormat.Kind.FP16, CommFormat.parse("fp16").kind());
        assertEquals(CommFormat.Kind.BF16, CommFormat.parse("bf16").kind());
        assertEquals("fp16", CommFormat.FP16.name());
        assertEquals("bf16", CommFormat.BF16.name());
        assertEquals("exact", CommFormat.EXACT.name());
        assertNull(CommFormat.FP16.reduceScatter());
        assertNull(CommFormat.EXACT.allGather());
    }

    @Test
    void everyFlashCombinationRoundTrips() {
        for (int bits : new int[] {8, 6, 4, 3, 2}) {
            for (boolean symmetric : new boolean[] {false, true}) {
                for (int group : new int[] {1, 7, 32, 128, 4096}) {
                    CommFormat f = CommFormat.flash(bits, symmetric, group);
                    assertEquals("int" + bits + (symmetric ? "-sym" : "-asym") + "-g" + group, f.name());
                    assertEquals(bits, f.flashBits());
                    assertEquals(f, CommFormat.parse(f.name()));
                }
            }
        }
    }

    @ParameterizedTest(name = "''{0}'' is rejected")
    @ValueSource(strings = {"int5", "int4-g0", "foo", "", "int16", "int4-sym-asym", "int4-g", "int4-g128-sym", "fp32", "int4-g99999999999"})
    void rejectsUnknownNamesListingTheAcceptedForms(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommFormat.parse(input));
        assertTrue(e.getMessage().contains("'" + input + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("exact, fp16, bf16, int<8|6|4|3|2>[-asym|-sym][-g<N>]"), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, "one line");
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CommFormat.parse("int4-g0")).getMessage().contains("group size must be >= 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CommFormat.parse("int5")).getMessage().contains("int5 is not a flash bit width"));
        assertThrows(IllegalArgumentException.class, () -> CommFormat.parse(null));
    }

    @Test
    void constructorRejectsInconsistentSpecs() {
        QuantSpec four = new QuantSpec(4, false, 128);
        assertThrows(IllegalArgumentException.class, () -> new CommFormat(CommFormat.Kind.FLASH, four, null));
        assertThrows(IllegalArgumentException.class, () -> new CommFormat(CommFormat.Kind.FP16, four, four));
        assertThrows(IllegalArgumentException.class, () -> new CommFormat(CommFormat.Kind.FLASH, four, new QuantSpec(4, true, 128)));
        assertThrows(IllegalArgumentException.class, () -> new CommFormat(CommFormat.Kind.FLASH, four, new QuantSpec(4, false, 64)));
        // phases of other widths than the paper's pairs are allowed, and named by both widths
        assertEquals("int4:3-asym-g128", new CommFormat(CommFormat.Kind.FLASH, four, new QuantSpec(3, false, 128)).name());
        assertEquals("int5:5-asym-g128", new CommFormat(CommFormat.Kind.FLASH, new QuantSpec(5, false, 128), new QuantSpec(5, false, 128)).name());
        QuantSpec e4m3 = QuantSpec.ofFloat(ElementType.FP8_E4M3, 128, ScaleType.FP16, false);
        assertThrows(IllegalArgumentException.class, () -> new CommFormat(CommFormat.Kind.FLASH, e4m3,
                QuantSpec.ofFloat(ElementType.FP8_E4M3, 128, ScaleType.FP32, false)));
        assertThrows(IllegalArgumentException.class, () -> new CommFormat(CommFormat.Kind.FLASH, e4m3, e4m3.withSpikes(true)));
        assertThrows(IllegalArgumentException.class, () -> new CommFormat(CommFormat.Kind.FLASH, e4m3,
                QuantSpec.ofFloat(ElementType.FP8_E5M2, 128, ScaleType.FP16, false)));
        assertThrows(IllegalArgumentException.class, () -> CommFormat.flash(5, false, 128));
        assertThrows(IllegalStateException.class, CommFormat.EXACT::flashBits);
    }
}
