package dev.flashcomm.tp.comm;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.GroupLayout;
import dev.flashcomm.quant.GroupQuantizer;
import dev.flashcomm.quant.Half;
import dev.flashcomm.tp.comm.engine.EngineGroupLayout;
import dev.flashcomm.tp.comm.engine.EngineGroupQuantizer;
import dev.flashcomm.tp.comm.engine.EngineRounding;
import dev.flashcomm.tp.comm.engine.Workspace;

/**
 * One point-to-point leg of expert-parallel traffic in a format: each payload row rounded once as it travels
 * ({@code exact}: untouched; {@code fp16}/{@code bf16}: rounded to nearest-even; a flash or float format: QDQ with
 * its groups along the row). The host path is module {@code quant}'s Java oracle on fp32 arrays, the engine path the
 * same numerics as DJL ops; they agree bit for bit, as the all-reduces do.
 */
final class LegCodec {

    private final CommFormat format;
    private final GroupQuantizer hostQuantizer;
    private final EngineGroupQuantizer engineQuantizer;

    LegCodec(CommFormat format) {
        this.format = format;
        boolean flash = format.kind() == CommFormat.Kind.FLASH;
        this.hostQuantizer = flash ? new GroupQuantizer(format.reduceScatter()) : null;
        this.engineQuantizer = flash ? new EngineGroupQuantizer(format.reduceScatter()) : null;
    }

    CommFormat format() {
        return format;
    }

    /** Bytes one payload row of {@code cols} elements takes on the wire (codes, scales, minimums, spikes). */
    long bytesPerRow(int cols) {
        return switch (format.kind()) {
            case EXACT -> 4L * cols;
            case FP16, BF16 -> 2L * cols;
            case FLASH -> {
                GroupLayout layout = new GroupLayout(format.reduceScatter(), cols);
                yield layout.bytesOf(0, layout.groupCount(1));
            }
        };
    }

    /** Rounds {@code x} ({@code rows × cols} fp32, row-major) in place, on the host. */
    void roundHost(float[] x, int rows, int cols) {
        switch (format.kind()) {
            case EXACT -> { }
            case FP16 -> {
                for (int i = 0; i < x.length; i++) {
                    x[i] = Half.r16(x[i]);
                }
            }
            case BF16 -> {
                for (int i = 0; i < x.length; i++) {
                    x[i] = Half.rbf16(x[i]);
                }
            }
            case FLASH -> hostQuantizer.qdqInPlace(x, rows, cols);
        }
    }

    /** {@code x [rows, cols]} fp32 rounded, as engine ops; temporaries live in {@code ws}. */
    NDArray roundEngine(NDArray x, Workspace ws) {
        return switch (format.kind()) {
            case EXACT -> x;
            case FP16 -> EngineRounding.r16(x);
            case BF16 -> EngineRounding.rbf16(x, ws.powersOfTwo(x.getDevice()));
            case FLASH -> {
                EngineGroupLayout layout = new EngineGroupLayout(Math.toIntExact(x.getShape().get(1)),
                        format.reduceScatter().groupSize());
                yield layout.join(layout.split(x).map(engineQuantizer::qdq),
                        Math.toIntExact(x.getShape().get(0)));
            }
        };
    }
}
