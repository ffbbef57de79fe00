package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.GroupQuantizer;
import dev.flashcomm.quant.QuantSpec;

/** What every flash-style algorithm holds: the reduce-scatter and all-gather specs and their quantizers. */
abstract class QuantizedAllReduce implements AllReduceAlgorithm {

    protected final QuantSpec rs;
    protected final QuantSpec ag;
    protected final GroupQuantizer rsQuantizer;
    protected final GroupQuantizer agQuantizer;

    QuantizedAllReduce(QuantSpec rs, QuantSpec ag) {
        this.rs = rs;
        this.ag = ag;
        this.rsQuantizer = new GroupQuantizer(rs);
        this.agQuantizer = new GroupQuantizer(ag);
    }
}
