package dev.flashcomm.eval.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Out-of-memory becomes one actionable line; {@code --batch auto}'s shape estimate behaves like memory does. */
class DeviceMemoryTest {

    private static ScoringModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Fixtures.ROOT.resolve("models/llama3-tiny"), 2, List.of(Device.cpu()),
                DataType.FLOAT32);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theAllocatorsOutOfMemoryBecomesOneLineWithTheBatch() {
        RuntimeException e = DeviceMemoryException.translate(new EngineException(
                "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity)"), model, 8, 256);
        DeviceMemoryException d = assertInstanceOf(DeviceMemoryException.class, e);
        assertTrue(d.getMessage().startsWith("out of memory on cpu() scoring a batch of 8 sequence(s) of 256 tokens; "),
                d.getMessage());
        assertTrue(d.getMessage().contains("--batch"), d.getMessage());
        assertEquals(-1, d.getMessage().indexOf('\n'), "one line");
    }

    @Test
    void aGenerationOutOfMemoryNamesItsKvCache() {
        RuntimeException e = DeviceMemoryException.translateGeneration(new EngineException(
                "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity)"), model, 64, 4096);
        DeviceMemoryException d = assertInstanceOf(DeviceMemoryException.class, e);
        // 64 rows x 4096 slots x (2 x 4 layers x 2 KV heads x 32 dims x 4 bytes) = 0.50 GiB
        assertTrue(d.getMessage().startsWith("out of memory on cpu() generating for a batch of 64 prompt(s) with a "
                + "KV cache of 4096 slots per row (0.50 GiB); "), d.getMessage());
        assertEquals(-1, d.getMessage().indexOf('\n'), "one line");
    }

    @Test
    void otherEngineErrorsPassThroughUnchanged() {
        EngineException other = new EngineException("index 7 is out of bounds for dimension 0 with size 4");
        assertSame(other, DeviceMemoryException.translate(other, model, 8, 256));
    }

    @Test
    void theEstimateGrowsWithLengthAndShrinksWithFp16AndFreeMemory() {
        ModelConfig c = model.model().config();
        long fp32 = BatchSizer.bytesPerSequence(c, 2, 2048, DataType.FLOAT32);
        assertTrue(fp32 > BatchSizer.bytesPerSequence(c, 2, 1024, DataType.FLOAT32));
        assertTrue(fp32 > BatchSizer.bytesPerSequence(c, 2, 2048, DataType.FLOAT16));
        long gib = 1L << 30;
        int in8 = BatchSizer.estimate(model, 256, 8 * gib);
        int in16 = BatchSizer.estimate(model, 256, 16 * gib);
        assertTrue(in8 >= 1 && in16 > in8, in8 + " vs " + in16);
        assertEquals(0, BatchSizer.estimate(model, 256, 1 << 20), "1 MiB holds no sequence");
    }
}
