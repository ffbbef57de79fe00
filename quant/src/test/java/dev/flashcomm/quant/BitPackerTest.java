package dev.flashcomm.quant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BitPackerTest {

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
    void packThenUnpackRestoresCodesForOddAndEvenLengths(int bits) {
        SplittableRandom random = new SplittableRandom(bits);
        for (int count : new int[] {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 127, 129}) {
            int[] codes = new int[count + 3];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = random.nextInt(1 << bits);
            }
            int bytes = BitPacker.packedBytes(count, bits);
            assertEquals((count * bits + 7) / 8, bytes);
            byte[] out = new byte[bytes + 4];
            BitPacker.pack(codes, 3, count, bits, out, 2);
            assertEquals(0, out[0]);
            assertEquals(0, out[1]);
            assertEquals(0, out[bytes + 2], "nothing written past the packed bytes");
            if ((count * bits) % 8 != 0) {
                int usedInLast = (count * bits) % 8;
                assertEquals(0, (out[bytes + 1] & 0xff) >>> usedInLast, "padding bits are zero");
            }
            int[] back = new int[count + 1];
            BitPacker.unpack(out, 2, count, bits, back, 1);
            for (int i = 0; i < count; i++) {
                assertEquals(codes[3 + i], back[1 + i], bits + " bits, count " + count + ", code " + i);
            }
            // an exactly sized buffer: unpacking must not read past the packed bytes
            byte[] exact = java.util.Arrays.copyOfRange(out, 2, 2 + bytes);
            int[] again = new int[count];
            BitPacker.unpack(exact, 0, count, bits, again, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(codes, 3, 3 + count), again);
        }
    }

    @Test
    void threeBitCodesAreLsbFirstAndStraddleBytes() {
        // 1=001 2=010 3=011 4=100 5=101 laid out from bit 0: byte0 = 1 | 2<<3 | (3&3)<<6, byte1 = 3>>2 | 4<<1 | 5<<4
        byte[] out = new byte[2];
        BitPacker.pack(new int[] {1, 2, 3, 4, 5}, 0, 5, 3, out, 0);
        assertArrayEquals(new byte[] {(byte) 0xd1, (byte) 0x58}, out);
    }

    @Test
    void fourBitCodesPutTheFirstCodeInTheLowNibble() {
        byte[] out = new byte[2];
        BitPacker.pack(new int[] {1, 2, 15}, 0, 3, 4, out, 0);
        assertArrayEquals(new byte[] {0x21, 0x0f}, out);
    }

    @Test
    void twoBitCodes() {
        byte[] out = new byte[2];
        BitPacker.pack(new int[] {3, 0, 1, 2, 1}, 0, 5, 2, out, 0);
        assertArrayEquals(new byte[] {(byte) 0b10_01_00_11, 0b01}, out);
    }

    @Test
    void rejectsCodesThatDoNotFitAndBadWidths() {
        assertThrows(IllegalArgumentException.class, () -> BitPacker.pack(new int[] {8}, 0, 1, 3, new byte[1], 0));
        assertThrows(IllegalArgumentException.class, () -> BitPacker.pack(new int[] {-1}, 0, 1, 8, new byte[1], 0));
        assertThrows(IllegalArgumentException.class, () -> BitPacker.packedBytes(4, 9));
        assertThrows(IllegalArgumentException.class, () -> BitPacker.packedBytes(4, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> BitPacker.pack(new int[] {1, 1, 1}, 0, 3, 8, new byte[2], 0));
    }
}
