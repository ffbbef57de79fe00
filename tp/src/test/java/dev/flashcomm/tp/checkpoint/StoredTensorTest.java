package dev.flashcomm.tp.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets are longs: a tensor of more than 2^31 elements is read through windows past the 2 and 4 GiB marks. */
class StoredTensorTest {

    @Test
    void readsRowsBeyondTwoToTheThirtyOne(@TempDir Path dir) throws IOException {
        long rows = (1L << 31) + 16;
        String json = "{\"big\":{\"dtype\":\"BF16\",\"shape\":[" + rows + ",1],\"data_offsets\":[0," + 2 * rows + "]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        long dataStart = 8 + header.length;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            f.write(len.array());
            f.write(header);
            f.setLength(dataStart + 2 * rows); // sparse: 4 GiB of zeros that take no disk space
            f.seek(dataStart + 2 * (rows - 16));
            for (int i = 0; i < 16; i++) {
                int bits = Float.floatToRawIntBits(i + 0.5f) >>> 16;
                f.write(bits & 0xFF);
                f.write(bits >>> 8);
            }
        }
        assumeTrue(Files.size(file) == dataStart + 2 * rows, "skipped: no room for a sparse 4 GiB file");
        StoredTensor t = SafetensorsFile.open(file).tensor("big");
        assertEquals(rows, t.elements());
        ByteBuffer out = ByteBuffer.allocateDirect(4 * 24).order(ByteOrder.nativeOrder());
        t.stageRows(rows - 24, rows, out, ForkJoinPool.commonPool());
        out.flip();
        for (int i = 0; i < 24; i++) {
            assertEquals(i < 8 ? 0f : i - 8 + 0.5f, out.getFloat(), "row " + (rows - 24 + i));
        }
    }
}
