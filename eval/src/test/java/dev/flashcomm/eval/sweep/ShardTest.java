package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --shard i/n}: round-robin cells, and a merge that refuses an incomplete set of parts. */
class ShardTest {

    @TempDir
    Path tmp;

    @Test
    void parsesAndDealsRoundRobin() {
        Shard second = Shard.parse(" 2/3 ");
        assertEquals(new Shard(2, 3), second);
        assertEquals(List.of(1, 4, 7), IntStream.range(0, 9).filter(second::owns).boxed().toList());
        assertTrue(IntStream.range(0, 9).allMatch(Shard.ALL::owns));
        assertEquals("part-2-of-3", second.partName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0/2", "3/2", "2", "1/0", "a/b", "1/2/3", "", "99999999999/2"})
    void rejectsImpossibleShards(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(text));
        assertTrue(e.getMessage().contains("i/n"), e.getMessage());
    }

    @Test
    void mergeRefusesAnIncompleteOrMixedSetOfParts() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        InputException none = assertThrows(InputException.class, () -> SweepOutputs.mergeParts(out));
        assertTrue(none.getMessage().startsWith(out + ": no results.part-"), none.getMessage());

        SweepOutputs.Measurements empty = new SweepOutputs.Measurements(List.of(), java.util.Map.of());
        SweepOutputs.writePart(out, new Shard(1, 3), empty, "fp16", TestProvenance.of("sweep"),
                List.of("m tp=2 fp16 fake piqa"));
        SweepOutputs.writePart(out, new Shard(3, 3), empty, "fp16", TestProvenance.of("sweep"),
                List.of("m tp=2 fp16 fake piqa"));
        InputException missing = assertThrows(InputException.class, () -> SweepOutputs.mergeParts(out));
        assertEquals(out.resolve("results.part-2-of-3.csv") + ": missing; shard 2/3 has not finished",
                missing.getMessage());

        SweepOutputs.writePart(out, new Shard(1, 2), empty, "fp16", TestProvenance.of("sweep"),
                List.of("m tp=2 fp16 fake piqa"));
        InputException mixed = assertThrows(InputException.class, () -> SweepOutputs.mergeParts(out));
        assertTrue(mixed.getMessage().contains("different shard counts [2, 3]"), mixed.getMessage());
        assertFalse(Files.exists(out.resolve("results.csv")));
    }
}
