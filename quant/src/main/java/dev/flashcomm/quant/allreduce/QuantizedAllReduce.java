package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.GroupQuantizer;
import dev.flashcomm.quant.QuantSpec;

/** What every flash-style algorithm holds: the reduce-scatter and all-gather specs and their quantizers. */
abstract class QuantizedAllReduce implements AllReduceAlgorithm {

    protected final QuantSpec rs;
    protected final QuantSpec ag;
    protected final GroupQuantizer rsQuantizer;
    protected final GroupQuantizer agQuantizer;
    /** The reduce step's running-sum dtype. */
    protected final Accumulation acc;

    QuantizedAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc) {
        this.acc = acc;
        this.rs = rs;
        this.ag = ag;
        this.rsQuantizer = new GroupQuantizer(rs);
        this.agQuantizer = new GroupQuantizer(ag);
    }
}
