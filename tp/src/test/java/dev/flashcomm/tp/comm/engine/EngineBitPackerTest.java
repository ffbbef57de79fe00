package dev.flashcomm.tp.comm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.BitPacker;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine packer writes BitPacker's bytes for every width and row length, and reads them back. */
class EngineBitPackerTest {

    static Stream<Arguments> widthsAndLengths() {
        return IntStream.rangeClosed(2, 8).boxed().flatMap(b -> IntStream.of(1, 3, 7, 8, 9, 16, 100, 128, 131)
                .mapToObj(len -> Arguments.of(b, len)));
    }

    @ParameterizedTest(name = "{0} bits, rows of {1}")
    @MethodSource("widthsAndLengths")
    void packsAsBitPackerDoesAndBack(int bits, int len) {
        int rows = 5;
        Random rnd = new Random(31L * bits + len);
        int[] codes = new int[rows * len];
        for (int i = 0; i < codes.length; i++) {
            // the extremes in every row, the rest random
            codes[i] = i % len == 0 ? (1 << bits) - 1 : i % len == 1 ? 0 : rnd.nextInt(1 << bits);
        }
        int rowBytes = BitPacker.packedBytes(len, bits);
        byte[] expected = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            BitPacker.pack(codes, r * len, len, bits, expected, r * rowBytes);
        }
        EngineBitPacker packer = new EngineBitPacker(bits);
        assertEquals(rowBytes, packer.rowBytes(len));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] asFloat = new float[codes.length];
            for (int i = 0; i < codes.length; i++) {
                asFloat[i] = codes[i];
            }
            NDArray packed = packer.pack(m.create(asFloat, new Shape(rows, len)));
            assertEquals(DataType.UINT8, packed.getDataType());
            assertEquals(new Shape(rows, rowBytes), packed.getShape());
            assertArrayEquals(expected, packed.toByteArray());
            NDArray back = packer.unpack(packed, len);
            assertEquals(DataType.FLOAT32, back.getDataType());
            assertArrayEquals(asFloat, back.toFloatArray());
        }
    }
}
