package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * cos/sin tables of rotary embeddings for positions 0..L-1 in the Hugging Face rotate-half layout
 * ({@code emb = cat(freqs, freqs)}), computed in fp32 as transformers does.
 *
 * <p>The angles are formed and the cos/sin taken by the engine, not by {@link Math#cos}: the engine's fp32 cos is not
 * correctly rounded, and transformers' tables (the reference) come from it. Matching them bit for bit matters
 * because the same table enters every sequence, so a 1-ulp difference does not average out over long
 * continuations.
 */
final class RotaryTable {

    private final float[] inverseFrequencies;

    RotaryTable(float[] inverseFrequencies) {
        this.inverseFrequencies = inverseFrequencies.clone();
    }

    /**
     * cos/sin at arbitrary positions: {@code positions} {@code [B, n]} fp32 (whole numbers) gives {cos, sin}, each
     * {@code [B, 1, n, headDim]} in fp32 on the positions' manager, ready to broadcast over heads. Angles are the
     * same fp32 products as {@link #create}'s, so a position gets the same values either way.
     */
    NDArray[] at(NDArray positions) {
        Shape s = positions.getShape();
        int half = inverseFrequencies.length;
        NDArray inv = positions.getManager().create(inverseFrequencies, new Shape(1, 1, half));
        NDArray angles = positions.reshape(s.get(0), s.get(1), 1).mul(inv);
        NDArray cos = angles.cos();
        NDArray sin = angles.sin();
        return new NDArray[] {cos.concat(cos, 2).expandDims(1), sin.concat(sin, 2).expandDims(1)};
    }

    /** Returns {cos, sin}, each {@code [L, headDim]} in fp32, on {@code manager}. */
    NDArray[] create(NDManager manager, int length) {
        int half = inverseFrequencies.length;
        NDArray inv = manager.create(inverseFrequencies, new Shape(1, half));
        NDArray positions = manager.arange(0, length, 1, DataType.FLOAT32).reshape(length, 1);
        NDArray angles = positions.mul(inv);
        NDArray cos = angles.cos();
        NDArray sin = angles.sin();
        return new NDArray[] {cos.concat(cos, 1), sin.concat(sin, 1)};
    }
}
