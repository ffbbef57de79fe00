package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * cos/sin tables of rotary embeddings for positions 0..L-1 in the Hugging Face rotate-half layout
 * ({@code emb = cat(freqs, freqs)}), computed in fp32 as transformers does.
 */
final class RotaryTable {

    private final float[] inverseFrequencies;

    RotaryTable(float[] inverseFrequencies) {
        this.inverseFrequencies = inverseFrequencies.clone();
    }

    /** Returns {cos, sin}, each {@code [L, headDim]}, on {@code manager}. */
    NDArray[] create(NDManager manager, int length) {
        int half = inverseFrequencies.length;
        int dim = 2 * half;
        float[] cos = new float[length * dim];
        float[] sin = new float[length * dim];
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inverseFrequencies[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * dim + i] = c;
                cos[p * dim + half + i] = c;
                sin[p * dim + i] = s;
                sin[p * dim + half + i] = s;
            }
        }
        Shape shape = new Shape(length, dim);
        return new NDArray[] {manager.create(cos, shape), manager.create(sin, shape)};
    }
}
