package dev.flashcomm.eval.lm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.eval.InputException;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A forward pass too large for one Java array of positions is bad input, not a NegativeArraySizeException. */
class ScoringLimitsTest {

    @Test
    void morePositionsThanOneArrayHoldsIsBadInput() {
        try (ScoringModel lm = ModelLoader.load(Fixtures.ROOT.resolve("models/llama3-tiny"), 1,
                List.of(Device.cpu()), DataType.FLOAT32)) {
            // one shared array 65,536 times: 2^31 + 2^16 positions, without allocating them
            List<int[]> sequences = Collections.nCopies(1 << 16, new int[(1 << 15) + 1]);
            InputException e = assertThrows(InputException.class,
                    () -> lm.score(sequences, null, false));
            assertTrue(e.getMessage().contains("use a smaller --batch"), e.getMessage());
        }
    }
}
