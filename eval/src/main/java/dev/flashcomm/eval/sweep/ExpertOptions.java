package dev.flashcomm.eval.sweep;

import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.tp.model.MoeParallel;
import java.util.Objects;

/**
 * How a mixture-of-experts model's experts run and communicate ({@code --moe-parallel}, {@code --dispatch-comm},
 * {@code --combine-comm}); dense models ignore all three.
 *
 * @param parallel tensor-parallel experts (one all-reduce per block) or expert parallelism (dispatch and combine)
 * @param dispatch format of expert-parallel dispatch, or null for each preset's own (else bf16)
 * @param combine  format of expert-parallel combine, or null for each preset's own (else bf16)
 */
public record ExpertOptions(MoeParallel parallel, CommFormat dispatch, CommFormat combine) {

    public static final ExpertOptions DEFAULT = new ExpertOptions(MoeParallel.TP, null, null);

    public ExpertOptions {
        Objects.requireNonNull(parallel, "parallel");
    }
}
