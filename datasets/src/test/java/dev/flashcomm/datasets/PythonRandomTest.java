package dev.flashcomm.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Literal outputs of CPython 3.11's {@code random.Random} (computed with python3, pasted here). */
class PythonRandomTest {
    /** {@code r = Random(seed); [r.getrandbits(32) for _ in range(3)], r.getrandbits(40), r.getrandbits(1)}. */
    @ParameterizedTest(name = "seed {0}")
    @CsvSource({
        "0, 3626764237, 1654615998, 3255389356, 463385069186, 0",
        "1, 577090037, 2444712010, 3639700191, 840964324912, 0",
        "1234, 4150886329, 3342196574, 1892932127, 4796836454, 0",
        "42, 2746317213, 478163327, 107420369, 303832645883, 0",
        "-7, 1390851128, 4071050724, 647892279, 714660325134, 0",
        "1099511627779, 943978446, 261273136, 2359950418, 106660196952, 1"})
    void getrandbitsMatchesCPython(long seed, long a, long b, long c, long forty, long one) {
        PythonRandom r = new PythonRandom(seed);
        assertEquals(a, r.getrandbits(32));
        assertEquals(b, r.getrandbits(32));
        assertEquals(c, r.getrandbits(32));
        assertEquals(forty, r.getrandbits(40));
        assertEquals(one, r.getrandbits(1));
    }

    /** {@code Random(seed).sample(range(n), k)}; 21/22 and 85/86 straddle the pool/set switch (setsize). */
    @ParameterizedTest(name = "seed {0} n {1} k {2}")
    @CsvSource(delimiter = ';', value = {
        "1234; 7473; 5; 6374 3610 957 61 742",
        "1234; 20; 5; 14 3 0 2 1",
        "1234; 21; 5; 14 3 0 2 1",
        "1234; 22; 5; 14 3 0 2 18",
        "1234; 85; 6; 56 14 0 11 74 4",
        "1234; 86; 6; 56 14 0 11 74 4",
        "1234; 10; 10; 7 1 0 9 4 6 5 3 8 2",
        "0; 100; 6; 49 97 53 5 33 65",
        "42; 26; 6; 20 3 0 8 7 21",
        "7; 30; 6; 10 4 12 20 1 2",
        "1234; 3; 1; 1",
        "99; 1000000; 3; 423601 399248 209794",
        "3; 400; 30; 121 303 278 66 189 309 242 320 297 33 310 6 240 132 282 119 98 367 276 281 243 203 327 77"
            + " 118 325 267 199 379 7"})
    void sampleMatchesCPython(long seed, int n, int k, String expected) {
        int[] want = Arrays.stream(expected.split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(want, new PythonRandom(seed).sample(n, k));
    }

    @Test
    void repeatedSamplesAdvanceTheGenerator() {
        // r = Random(1234); [r.sample(range(7473), 5) for _ in range(3)]: what lm-eval draws for gsm8k's docs 0, 1, 2
        PythonRandom r = new PythonRandom(1234);
        assertArrayEquals(new int[] {6374, 3610, 957, 61, 742}, r.sample(7473, 5));
        assertArrayEquals(new int[] {7462, 6610, 4769, 286, 5501}, r.sample(7473, 5));
        assertArrayEquals(new int[] {5677, 687, 806, 6279, 2905}, r.sample(7473, 5));
    }

    @Test
    void randbelowAndEdges() {
        // r = Random(5); [r._randbelow(n) for n in [1, 2, 3, 7, 100, 2**31-1]]
        PythonRandom r = new PythonRandom(5);
        int[] got = {r.randbelow(1), r.randbelow(2), r.randbelow(3), r.randbelow(7), r.randbelow(100),
            r.randbelow(Integer.MAX_VALUE)};
        assertArrayEquals(new int[] {0, 1, 2, 6, 94, 1400227407}, got);
        assertArrayEquals(new int[0], new PythonRandom(1234).sample(5, 0));
        assertEquals(0, new PythonRandom(1).getrandbits(0));
        assertThrows(IllegalArgumentException.class, () -> new PythonRandom(1).sample(3, 4));
        assertThrows(IllegalArgumentException.class, () -> new PythonRandom(1).randbelow(0));
    }
}
