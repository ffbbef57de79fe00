package dev.flashcomm.tp.model;

import ai.djl.ndarray.types.DataType;
import dev.flashcomm.tp.comm.NonFiniteValuesException;
import dev.flashcomm.tp.comm.Site;

/**
 * The residual stream became Inf or NaN. In fp16 compute that is almost always overflow (fp16 ends at 65504, and
 * some checkpoints' activations outgrow it), so the message says to compute in fp32; in fp32 the checkpoint itself
 * (or a corrupt tensor) produces it.
 */
public final class NonFiniteActivationException extends NonFiniteValuesException {

    private static final long serialVersionUID = 1L;

    private final int layer;
    private final Site site;

    NonFiniteActivationException(int layer, Site site, float value, DataType computeType) {
        super(message(layer, site, value, computeType));
        this.layer = layer;
        this.site = site;
    }

    private static String message(int layer, Site site, float value, DataType computeType) {
        String what = Float.isNaN(value) ? "NaN" : "Inf";
        String where = "layer " + layer + " " + site.id() + ": the hidden state became " + what;
        return computeType == DataType.FLOAT16
                ? where + " in fp16 compute (activations overflow fp16's range of 65504); rerun with --dtype fp32"
                : where + " in " + computeType.name().toLowerCase(java.util.Locale.ROOT)
                        + " compute; the checkpoint's weights or the input produce non-finite values";
    }

    public int layer() {
        return layer;
    }

    public Site site() {
        return site;
    }
}
