package dev.flashcomm.datasets;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;

/**
 * CPython's {@code random.Random(seed)} for an integer seed, exactly: the MT19937 generator seeded by
 * {@code init_by_array} with the 32-bit words of {@code abs(seed)}, least significant first, and the few methods
 * lm-eval's few-shot sampler calls ({@code getrandbits}, {@code _randbelow}, {@code sample}).
 *
 * <p>lm-eval draws few-shot examples with {@code Random(1234).sample(docs, n)}, once per evaluated document, so
 * matching its prompts means reproducing this generator bit for bit, not just its distribution. Not thread-safe:
 * one instance per task load.
 */
public final class PythonRandom {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int mti;

    /** {@code random.Random(seed)}; negative seeds use {@code abs(seed)}, as CPython does. */
    public PythonRandom(long seed) {
        initByArray(words(BigInteger.valueOf(seed).abs()));
    }

    /** The seed's 32-bit words, least significant first; zero is one word {@code 0} (CPython's {@code random_seed}). */
    private static int[] words(BigInteger magnitude) {
        int n = Math.max(1, (magnitude.bitLength() + 31) / 32);
        int[] key = new int[n];
        for (int i = 0; i < n; i++) {
            key[i] = magnitude.shiftRight(32 * i).intValue();
        }
        return key;
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (mti = 1; mti < N; mti++) {
            mt[mti] = 1812433253 * (mt[mti - 1] ^ (mt[mti - 1] >>> 30)) + mti;
        }
    }

    private void initByArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
    }

    /** One 32-bit output of MT19937 ({@code genrand_uint32}), as an unsigned value in an int. */
    private int nextWord() {
        if (mti >= N) {
            int kk = 0;
            for (; kk < N - M; kk++) {
                int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            }
            for (; kk < N - 1; kk++) {
                int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            }
            int y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
            mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            mti = 0;
        }
        int y = mt[mti++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /**
     * {@code getrandbits(k)} for {@code 0 <= k <= 63}: for more than 32 bits CPython fills the low word first, and
     * the last word keeps its top bits.
     */
    public long getrandbits(int k) {
        if (k < 0 || k > 63) {
            throw new IllegalArgumentException("k must be in 0..63, got " + k);
        }
        if (k == 0) {
            return 0;
        }
        if (k <= 32) {
            return Integer.toUnsignedLong(nextWord()) >>> (32 - k);
        }
        long low = Integer.toUnsignedLong(nextWord());
        long high = Integer.toUnsignedLong(nextWord()) >>> (64 - k);
        return (high << 32) | low;
    }

    /** {@code _randbelow(n)} (the getrandbits variant): rejection sampling on {@code n.bit_length()} bits. */
    public int randbelow(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, got " + n);
        }
        int k = 32 - Integer.numberOfLeadingZeros(n);
        long r = getrandbits(k);
        while (r >= n) {
            r = getrandbits(k);
        }
        return (int) r;
    }

    /**
     * The positions {@code random.sample(population, k)} picks from a population of {@code n}, in the order it
     * returns them. CPython keeps a pool (swap-remove) when {@code n <= setsize} and otherwise redraws into a set;
     * the two consume the generator differently, so both are reproduced, with CPython's {@code setsize} rule.
     */
    public int[] sample(int n, int k) {
        if (n < 0 || k < 0 || k > n) {
            throw new IllegalArgumentException("Sample larger than population or is negative: n=" + n + ", k=" + k);
        }
        int[] result = new int[k];
        if (n <= setsize(k)) {
            int[] pool = new int[n];
            for (int i = 0; i < n; i++) {
                pool[i] = i;
            }
            for (int i = 0; i < k; i++) {
                int j = randbelow(n - i);
                result[i] = pool[j];
                pool[j] = pool[n - i - 1];
            }
        } else {
            Set<Integer> selected = new HashSet<>();
            for (int i = 0; i < k; i++) {
                int j = randbelow(n);
                while (selected.contains(j)) {
                    j = randbelow(n);
                }
                selected.add(j);
                result[i] = j;
            }
        }
        return result;
    }

    /**
     * {@code 21 + 4 ** ceil(log(3k, 4))} for {@code k > 5}, else 21. CPython computes the logarithm in floating
     * point, so this does too ({@code Math.log(x) / Math.log(4)} is how CPython's two-argument {@code log} works).
     */
    static long setsize(int k) {
        long size = 21;
        if (k > 5) {
            double e = Math.ceil(Math.log(k * 3.0) / Math.log(4));
            size += (long) Math.pow(4, e);
        }
        return size;
    }
}
