package dev.flashcomm.tp.comm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.GroupQuantizer;
import dev.flashcomm.quant.QuantSpec;
import org.junit.jupiter.api.Test;

/**
 * Groups whose levels are -0 in floating point but +0 on the host: the engine's QDQ must return the host's bits,
 * sign of zero included (a -0 that survives into a sum of all-zero partials changes the result's bits).
 */
class EngineSignOfZeroTest {

    private static final float[][] GROUPS = {
        // (x - mn) / s underflows to -0: mn = R16(-2^-149) = -0, s = 2
        {-Float.MIN_VALUE, 30f, 0f, 1f},
        // x = -0 with mn = +0 picked from +0 (the min of ±0 may be either)
        {+0f, -0f, 15f, 7f},
        {-0f, +0f, 15f, 7f},
        // all zeros of both signs: the scale becomes 1
        {-0f, -0f, +0f, -0f},
        // symmetric's rint(-0.3) = -0
        {-0.3f, 15f, 0.2f, -0f},
    };

    @Test
    void fakeQuantizationKeepsTheHostsSignOfZero() {
        for (boolean symmetric : new boolean[] {false, true}) {
            QuantSpec spec = new QuantSpec(4, symmetric, 4);
            GroupQuantizer host = new GroupQuantizer(spec);
            EngineGroupQuantizer engine = new EngineGroupQuantizer(spec);
            try (NDManager m = NDManager.newBaseManager()) {
                for (float[] g : GROUPS) {
                    float[] expected = g.clone();
                    host.qdqInPlace(expected, 1, g.length);
                    float[] actual = engine.qdq(m.create(g, new Shape(1, g.length))).toFloatArray();
                    for (int i = 0; i < g.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                                spec + " group " + java.util.Arrays.toString(g) + " element " + i + ": host "
                                        + expected[i] + ", engine " + actual[i]);
                    }
                }
            }
        }
    }
}
