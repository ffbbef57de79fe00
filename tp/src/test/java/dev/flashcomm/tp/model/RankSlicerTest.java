package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A transposed slice is a contiguous copy that owns its storage: changing the source afterwards leaves it alone. */
class RankSlicerTest {

    @ParameterizedTest(name = "[{0},{1}] cols {2}:{3}")
    @CsvSource({"4, 6, 1, 4", "4, 6, 0, 6", "1, 6, 2, 5", "5, 6, 3, 4"})
    void transposedCopyOwnsContiguousStorage(int rows, int cols, int from, int to) {
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            NDArray full = m.arange(0f, rows * cols).reshape(rows, cols);
            NDArray copy = RankSlicer.transposedCopy(full.get(new NDIndex(":, " + from + ":" + to)));
            float[] expected = new float[rows * (to - from)];
            for (int j = from; j < to; j++) {
                for (int i = 0; i < rows; i++) {
                    expected[(j - from) * rows + i] = i * cols + j;
                }
            }
            assertEquals(new Shape(to - from, rows), copy.getShape());
            assertArrayEquals(expected, copy.toFloatArray());
            assertTrue(isContiguous(copy));
            full.muli(0); // in place: a view of full would change with it
            assertArrayEquals(expected, copy.toFloatArray());
        }
    }

    /**
     * For a contiguous CPU array the engine's direct buffer is the array's own memory; for a strided one it is a
     * temporary copy. So an array is contiguous exactly when a write through that buffer shows up in the array.
     */
    static boolean isContiguous(NDArray a) {
        ByteBuffer direct = a.toByteBuffer(true);
        byte b = direct.get(0);
        direct.put(0, (byte) (b ^ 1));
        boolean aliased = a.toByteBuffer(false).get(0) != b;
        direct.put(0, b);
        if (aliased) {
            a.toByteBuffer(true).put(0, b); // restore through the array's memory too
        }
        return aliased;
    }
}
