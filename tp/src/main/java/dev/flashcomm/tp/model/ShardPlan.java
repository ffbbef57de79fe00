package dev.flashcomm.tp.model;

import dev.flashcomm.tp.checkpoint.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Megatron-style split of a model over N tensor-parallel ranks: contiguous balanced ranges of query heads and of
 * MLP columns, rank r owning {@code [floor(r·n/N), floor((r+1)·n/N))}. A rank holds the KV heads its query heads
 * need, so KV heads are replicated when N exceeds their number.
 */
public record ShardPlan(int ranks, List<RankSlice> slices, MoeParallel moeParallel) {

    /** What one rank owns. Ranges are half-open. */
    public record RankSlice(int rank, int headFrom, int headTo, int kvFrom, int kvTo, int mlpFrom, int mlpTo) {
        public int heads() {
            return headTo - headFrom;
        }

        public int kvHeads() {
            return kvTo - kvFrom;
        }

        public int mlpColumns() {
            return mlpTo - mlpFrom;
        }
    }

    public ShardPlan {
        slices = List.copyOf(slices);
        moeParallel = moeParallel == null ? MoeParallel.TP : moeParallel;
        if (slices.size() != ranks) {
            throw new IllegalArgumentException("plan for " + ranks + " ranks has " + slices.size() + " slices");
        }
    }

    public ShardPlan(int ranks, List<RankSlice> slices) {
        this(ranks, slices, MoeParallel.TP);
    }

    /** Balanced ranges with tensor-parallel experts (the default for a sparse model). */
    public static ShardPlan balanced(ModelConfig config, int ranks) {
        return balanced(config, ranks, MoeParallel.TP);
    }

    /** Balanced ranges; {@code moe} says how a sparse layer's experts are placed (ignored by dense models). */
    public static ShardPlan balanced(ModelConfig config, int ranks, MoeParallel moe) {
        if (ranks < 1 || ranks > config.numHeads()) {
            throw new IllegalArgumentException("--tp " + ranks + " is not possible: the model has "
                    + config.numHeads() + " attention heads (TP must be between 1 and " + config.numHeads() + ")");
        }
        int group = config.groupSize();
        List<RankSlice> out = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            int h0 = split(r, config.numHeads(), ranks);
            int h1 = split(r + 1, config.numHeads(), ranks);
            int kv0 = h0 / group;
            int kv1 = (h1 - 1) / group + 1;
            out.add(new RankSlice(r, h0, h1, kv0, kv1, split(r, config.intermediateSize(), ranks),
                    split(r + 1, config.intermediateSize(), ranks)));
        }
        return new ShardPlan(ranks, out, moe);
    }

    /** Rank r's contiguous balanced range {@code [from, to)} of {@code n} units (an expert's columns). */
    public int[] range(int rank, int n) {
        return new int[] {split(rank, n, ranks), split(rank + 1, n, ranks)};
    }

    /** The rank that owns expert {@code e} of {@code experts} under expert parallelism. */
    public int expertOwner(int e, int experts) {
        for (int r = 0; r < ranks; r++) {
            if (e < split(r + 1, experts, ranks)) {
                return r;
            }
        }
        throw new IllegalArgumentException("expert " + e + " outside 0.." + (experts - 1));
    }

    /** floor(r·n/N) in long arithmetic, so large n·N cannot overflow. */
    static int split(int r, int n, int ranks) {
        return (int) ((long) r * n / ranks);
    }
}
