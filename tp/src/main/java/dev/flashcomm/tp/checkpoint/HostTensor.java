package dev.flashcomm.tp.checkpoint;

import java.util.Arrays;

/**
 * A tensor widened to fp32 in Java memory, row-major. It exists between reading a file and handing the numbers
 * to the engine (possibly sliced for a tensor-parallel rank), so that no BF16 array ever reaches the engine.
 */
public record HostTensor(String name, float[] data, long[] shape) {

    public HostTensor {
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for shape " + Arrays.toString(shape));
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rows() {
        return (int) shape[0];
    }

    public int cols() {
        return shape.length < 2 ? 1 : (int) shape[1];
    }

    /** Rows [from, to) of a 2-D tensor (or elements of a 1-D one): a column-parallel split. */
    public HostTensor rowSlice(int from, int to) {
        int c = cols();
        float[] out = Arrays.copyOfRange(data, from * c, to * c);
        return new HostTensor(name, out, shape.length < 2 ? new long[] {to - from} : new long[] {to - from, c});
    }

    /** Stacks tensors along the first axis (fusing projections that read the same input). */
    public static HostTensor concatRows(HostTensor... parts) {
        int total = 0;
        for (HostTensor p : parts) {
            total += p.data.length;
        }
        float[] out = new float[total];
        int at = 0;
        long rows = 0;
        for (HostTensor p : parts) {
            if (p.shape.length != parts[0].shape.length || (p.shape.length == 2 && p.cols() != parts[0].cols())) {
                throw new IllegalArgumentException("cannot stack " + p.name + " onto " + parts[0].name);
            }
            System.arraycopy(p.data, 0, out, at, p.data.length);
            at += p.data.length;
            rows += p.shape[0];
        }
        long[] shape = parts[0].shape.length < 2 ? new long[] {rows} : new long[] {rows, parts[0].cols()};
        return new HostTensor(parts[0].name, out, shape);
    }

    /** Columns [from, to) of a 2-D tensor: a row-parallel split. */
    public HostTensor colSlice(int from, int to) {
        int r = rows();
        int c = cols();
        int w = to - from;
        float[] out = new float[r * w];
        for (int i = 0; i < r; i++) {
            System.arraycopy(data, i * c + from, out, i * w, w);
        }
        return new HostTensor(name, out, new long[] {r, w});
    }

    /** The transpose of a 2-D tensor, so activations can be the first operand of every matmul. */
    public HostTensor transposed() {
        int r = rows();
        int c = cols();
        float[] out = new float[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = data[i * c + j];
            }
        }
        return new HostTensor(name, out, new long[] {c, r});
    }
}
