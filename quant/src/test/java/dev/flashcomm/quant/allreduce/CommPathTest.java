package dev.flashcomm.quant.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.quant.CommFormat;
import org.junit.jupiter.api.Test;

/** The one rule tying paths to formats, and that the host implementations follow it. */
class CommPathTest {

    private static final CommFormat FP16 = CommFormat.parse("fp16");
    private static final CommFormat INT4 = CommFormat.parse("int4");

    @Test
    void ringNeedsAFlashFormatEverywhere() {
        assertTrue(CommPath.RING.supports(INT4));
        assertFalse(CommPath.RING.supports(FP16));
        assertTrue(CommPath.PACKED.supports(FP16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CommPath.RING.requireSupports(FP16));
        assertTrue(e.getMessage().contains("--comm-path ring") && e.getMessage().contains("fp16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AllReduceAlgorithms.create(FP16, CommPath.RING));
    }

    @Test
    void nonFlashFormatsRunOnTheFakePathWhateverIsAsked() {
        assertEquals(CommPath.FAKE, CommPath.RING.effectiveFor(FP16));
        assertEquals(CommPath.FAKE, CommPath.PACKED.effectiveFor(CommFormat.parse("exact")));
        assertEquals(CommPath.RING, CommPath.RING.effectiveFor(INT4));
        assertEquals(CommPath.PACKED, CommPath.PACKED.effectiveFor(INT4));
    }
}
