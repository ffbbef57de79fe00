package dev.flashcomm.tp.comm.engine;

import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.QuantSpec;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithms;
import dev.flashcomm.quant.allreduce.CommPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Shared data and checks for the engine-versus-host tests (CPU and GPU). */
final class EngineCases {

    /** A shape, a group size and a rank count. */
    record Case(int rows, int cols, int group, int ranks) {
        @Override
        public String toString() {
            return "[" + rows + "," + cols + "] g" + group + " N" + ranks;
        }
    }

    static final List<Case> CASES = List.of(
            new Case(1, 1, 1, 1), new Case(1, 1, 128, 3), new Case(3, 7, 2, 2), new Case(3, 7, 7, 5),
            new Case(3, 7, 100, 8), new Case(5, 64, 32, 3), new Case(5, 64, 7, 4), new Case(17, 300, 128, 6),
            new Case(17, 300, 100, 7), new Case(17, 300, 1, 2), new Case(64, 256, 32, 8), new Case(64, 256, 256, 1),
            new Case(33, 4096, 128, 4), new Case(33, 4096, 4096, 3), new Case(2, 4100, 128, 2));

    static final List<String> FLASH = List.of("int8-asym", "int8-sym", "int6-asym", "int6-sym", "int4-asym",
            "int4-sym", "int3-asym", "int3-sym", "int2-asym", "int2-sym");

    /** The float-element, scale-dtype, spike and phase-width formats, {@code %d} standing for the group size. */
    static final List<String> NEW_FORMATS = List.of("fp8-e4m3-g%d", "fp8-e4m3-g%d-sfp32", "fp8-e4m3-g%d-se8m0",
            "fp8-e5m2-g%d", "fp8-e5m2-g%d-sfp32", "fp4-e2m1-g%d", "fp4-e2m1-g%d-se8m0", "fp4-e2m1-g%d-sfp32",
            "int2-asym-g%d-spike", "int8-sym-g%d-spike", "int4-asym-g%d-spike", "fp8-e4m3-g%d-sfp32-spike",
            "fp4-e2m1-g%d-se8m0-spike", "int6:6-sym-g%d", "int6:6-asym-g%d");

    private EngineCases() {
    }

    /** Every new format with group size g. */
    static Stream<CommFormat> newFormats(int group) {
        return NEW_FORMATS.stream().map(f -> CommFormat.parse(String.format(f, group)));
    }

    /** Every flash format name with group size g. */
    static Stream<CommFormat> flashFormats(int group) {
        return FLASH.stream().map(f -> CommFormat.parse(f + "-g" + group));
    }

    /**
     * Partials whose rows cycle through kinds that hit the numerics' corners: gaussian; exact rounding ties
     * ({@code x - mn == (k + 0.5) s}) for the format's rs spec; constant groups (scale 0 becomes 1), zeros of both
     * signs; tiny values (fp16-subnormal and zero scales); large values near and beyond ±65504 and up to ±3e38.
     */
    static float[][] partials(long seed, CommFormat format, int ranks, int rows, int cols) {
        Random rnd = new Random(seed);
        QuantSpec rs = format.isFlash() ? format.reduceScatter() : null;
        // the rounding-tie rows are built for integer levels; float formats get them at a width-8 integer's ties
        QuantSpec spec = rs != null && rs.element() == dev.flashcomm.quant.ElementType.INT ? rs
                : new QuantSpec(8, false, rs == null ? 128 : rs.groupSize());
        int g = Math.min(spec.groupSize(), cols);
        float[][] p = new float[ranks][rows * cols];
        // fp32 and e8m0 scales do not saturate like R16: partials near 3e38 would overflow the fp32 sum to Inf, and
        // the NaN that then follows has no defined bits, so those formats get the large values 2^-10 smaller
        boolean unsaturated = rs != null && rs.scaleType() != dev.flashcomm.quant.ScaleType.FP16;
        for (int r = 0; r < ranks; r++) {
            for (int i = 0; i < rows; i++) {
                int kind = (i + r) % 6;
                float bigScale = unsaturated && kind == 4 ? 0x1p-10f : 1f;
                for (int c = 0; c < cols; c++) {
                    p[r][i * cols + c] = value(rnd, kind, spec, c % g) * bigScale;
                }
            }
        }
        return p;
    }

    private static float value(Random rnd, int kind, QuantSpec spec, int inGroup) {
        int qmax = spec.qmax();
        switch (kind) {
            case 1: {
                float s = 0.5f;
                if (spec.symmetric()) {
                    if (inGroup == 0) {
                        return qmax * s;
                    }
                    float v = (rnd.nextInt(Math.max(qmax, 1)) + 0.5f) * s;
                    return rnd.nextBoolean() ? v : -v;
                }
                float mn = -3f;
                if (inGroup == 0) {
                    return mn;
                }
                if (inGroup == 1) {
                    return mn + qmax * s;
                }
                return mn + (rnd.nextInt(qmax) + 0.5f) * s;
            }
            case 2:
                return switch (rnd.nextInt(4)) {
                    case 0 -> 1.3f;
                    case 1 -> 0f;
                    case 2 -> -0f;
                    default -> 1.3f;
                };
            case 3:
                return (float) (rnd.nextGaussian() * (rnd.nextBoolean() ? 1e-6 : 1e-12));
            case 4: {
                float[] big = {65504f, -65504f, 65519.9f, 65520f, -70000f, 1e6f, -3e38f, 3e38f, 0x1.ff7p127f, 65503f};
                return rnd.nextInt(4) == 0 ? big[rnd.nextInt(big.length)] : (float) (rnd.nextGaussian() * 30000);
            }
            case 5:
                return switch (rnd.nextInt(3)) {
                    case 0 -> -0f;
                    case 1 -> 0f;
                    default -> (float) (rnd.nextGaussian() * 1e-3);
                };
            default:
                return (float) rnd.nextGaussian();
        }
    }

    static float[] host(CommFormat format, CommPath path, float[][] partials, int rows, int cols) {
        return host(format, path, Accumulation.FP32, partials, rows, cols);
    }

    static float[] host(CommFormat format, CommPath path, Accumulation acc, float[][] partials, int rows, int cols) {
        return AllReduceAlgorithms.create(format, path, acc).reduce(partials, rows, cols);
    }

    /** Runs the engine algorithm with rank r's partial created on {@code managers.get(r % size)}. */
    static float[] engine(List<NDManager> managers, CommFormat format, CommPath path, float[][] partials, int rows,
            int cols) {
        return engine(managers, format, path, Accumulation.FP32, partials, rows, cols);
    }

    static float[] engine(List<NDManager> managers, CommFormat format, CommPath path, Accumulation acc,
            float[][] partials, int rows, int cols) {
        List<NDArray> inputs = new ArrayList<>();
        for (int r = 0; r < partials.length; r++) {
            inputs.add(managers.get(r % managers.size()).create(partials[r], new Shape(rows, cols)));
        }
        try (Workspace ws = Workspace.newUnder(inputs.get(0))) {
            List<NDArray> work = new ArrayList<>();
            for (NDArray in : inputs) {
                work.add(ws.adopt(in, rows, cols));
            }
            return EngineAllReduces.create(format, path, acc).reduce(work, ws).toFloatArray();
        } finally {
            inputs.forEach(NDArray::close);
        }
    }

    static void assertBitsEqual(float[] want, float[] got, String label) {
        if (want.length != got.length) {
            fail(label + ": length " + got.length + ", want " + want.length);
        }
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(label + ": element " + i + " is " + got[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(got[i]))
                        + "), host gives " + want[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(want[i])) + ")");
            }
        }
    }

    /** Engine result equals host result bit for bit. */
    static void assertEngineMatchesHost(List<NDManager> managers, CommFormat format, CommPath path, Case c) {
        assertEngineMatchesHost(managers, format, path, Accumulation.FP32, c);
    }

    /** Engine result equals host result bit for bit, with the reduce step's sum in {@code acc}. */
    static void assertEngineMatchesHost(List<NDManager> managers, CommFormat format, CommPath path, Accumulation acc,
            Case c) {
        float[][] p = partials(31L * c.rows() + c.cols() + c.ranks(), format, c.ranks(), c.rows(), c.cols());
        float[] want = host(format, path, acc, p, c.rows(), c.cols());
        float[] got = engine(managers, format, path, acc, p, c.rows(), c.cols());
        assertBitsEqual(want, got, format.name() + " " + path + " acc " + acc.id() + " " + c);
    }
}
