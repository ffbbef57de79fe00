package dev.flashcomm.tp.model;

/**
 * Told as each checkpoint tensor reaches the primary device during {@link TransformerModel#load}, so a caller can
 * draw a progress bar or time the load. Called on the thread that called {@code load}, in checkpoint order.
 */
@FunctionalInterface
public interface LoadListener {

    /** A listener that ignores every event. */
    LoadListener NONE = (name, bytesDone, bytesTotal) -> { };

    /**
     * @param name       the tensor just loaded, e.g. {@code model.layers.3.mlp.up_proj.weight}
     * @param bytesDone  bytes of the checkpoint files loaded so far, this tensor included
     * @param bytesTotal bytes of all the tensors the model reads (a tied lm_head counts once; tensors the model
     *                   does not use are not counted)
     */
    void tensorLoaded(String name, long bytesDone, long bytesTotal);
}
