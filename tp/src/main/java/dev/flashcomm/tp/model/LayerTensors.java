package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;

/**
 * One decoder layer's full (unsharded) checkpoint tensors on the primary device, in the compute dtype, as the
 * checkpoint stores them ({@code [out, in]}). Optional tensors are null when the architecture has none.
 */
record LayerTensors(NDArray q, NDArray k, NDArray v, NDArray o, NDArray bq, NDArray bk, NDArray bv,
                    NDArray qNorm, NDArray kNorm, NDArray gate, NDArray up, NDArray down,
                    NDArray bGate, NDArray bUp) {
}
