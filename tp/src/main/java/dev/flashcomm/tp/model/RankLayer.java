package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Scalars;
import dev.flashcomm.tp.kernels.FusedKernels;

/**
 * One decoder layer's share of the weights on one tensor-parallel rank: column-parallel q/k/v and gate/up slices,
 * row-parallel o/down slices. It computes the rank's partial outputs; reducing them is the communicator's job.
 *
 * <p>Every weight is stored transposed ({@code [in, out]}) so that the activation is always the first operand of a
 * matmul: an op's result belongs to its first operand's manager, and activations must die with the batch.
 */
final class RankLayer {

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float rmsEps;
    private final int[] kvOfHead;
    /** Query heads per local KV head when that is the same for all, else 0 (see {@link #expandKv}). */
    private final int uniformGroup;
    private final NDArray wQkv;
    private final NDArray bQkv;
    private final NDArray wo;
    private final NDArray qNorm;
    private final NDArray kNorm;
    /** The dense MLP's shard, or null on a sparse layer. */
    private final GatedMlp mlp;
    /** A sparse layer's experts on this rank, or null on a dense layer. */
    private final RankExperts experts;
    private final float scale;

    /**
     * Weights are {@code [in, out]}. q/k/v are fused into one {@code [H, (heads + 2·kvHeads)·d]} matrix and gate/up
     * into one {@code [H, 2·columns]} matrix: two large GEMMs keep the cores busier than five small ones.
     */
    RankLayer(ShardPlan.RankSlice slice, int groupSize, int headDim, float rmsEps, NDArray wQkv, NDArray bQkv,
              NDArray wo, NDArray qNorm, NDArray kNorm, NDArray wGateUp, NDArray bGateUp, NDArray wDown) {
        this(slice, groupSize, headDim, rmsEps, wQkv, bQkv, wo, qNorm, kNorm,
                new GatedMlp(wGateUp, bGateUp, wDown, slice.mlpColumns()), null);
    }

    /** A layer with either a dense MLP shard ({@code experts} null) or a sparse block's experts ({@code mlp} null). */
    RankLayer(ShardPlan.RankSlice slice, int groupSize, int headDim, float rmsEps, NDArray wQkv, NDArray bQkv,
              NDArray wo, NDArray qNorm, NDArray kNorm, GatedMlp mlp, RankExperts experts) {
        if ((mlp == null) == (experts == null)) {
            throw new IllegalArgumentException("a layer has a dense MLP or experts, not both or neither");
        }
        this.heads = slice.heads();
        this.kvHeads = slice.kvHeads();
        this.headDim = headDim;
        this.rmsEps = rmsEps;
        this.kvOfHead = new int[heads];
        for (int i = 0; i < heads; i++) {
            kvOfHead[i] = (slice.headFrom() + i) / groupSize - slice.kvFrom();
        }
        this.uniformGroup = uniformGroup(kvOfHead, kvHeads);
        this.wQkv = wQkv;
        this.bQkv = bQkv;
        this.wo = wo;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.mlp = mlp;
        this.experts = experts;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    int kvHeads() {
        return kvHeads;
    }

    /**
     * This rank's attention partial {@code [B, L, H]} before the all-reduce (o_proj bias not included). With the
     * fused kernels and KV heads grouped evenly it is one fused call; otherwise the ops below, with the fused core
     * or the explicit one.
     *
     * @param attention how the attention core runs (fused, or explicit in blocks of queries)
     * @param mask      the whole causal mask {@code [L, L]} for the explicit core, or null: for the fused core, and
     *                  for the explicit one on windows too long for a whole mask (each block then builds its rows)
     */
    NDArray attentionPartial(NDArray xn, NDArray cos, NDArray sin, NDArray mask, Attention attention) {
        if (attention.isFused() && uniformGroup > 0) {
            return attention.fused().attentionPartial(xn, wQkv, bQkv, qNorm, kNorm, rmsEps, cos, sin, heads, kvHeads,
                    headDim, wo);
        }
        long b = xn.getShape().get(0);
        long len = xn.getShape().get(1);
        Qkv qkv = projectQkv(xn, cos, sin);
        NDArray context = attention.isFused() ? fusedContext(attention, qkv.q(), qkv.k(), qkv.v())
                : explicitContext(qkv.q(), expandKv(qkv.k()).transpose(0, 1, 3, 2), expandKv(qkv.v()), mask,
                        attention.scoreBudget());
        return context.transpose(0, 2, 1, 3).reshape(b, len, (long) heads * headDim).matMul(wo);
    }

    /**
     * This rank's attention partial for {@code n} new positions of an incremental decode: their keys and values are
     * written into the rank's cache at {@code slot.offset()}, and the queries attend to every cached position up to
     * and including their own under {@code mask}. The same ops as {@link #attentionPartial}; with the fused kernels
     * and KV heads grouped evenly, one fused call.
     *
     * @param cos  {@code [B, 1, n, d]}: each row's own positions (rows are left-padded by different amounts)
     * @param mask {@code [B, 1, n, offset + n]} additive: 0 where a query may see a slot, -inf elsewhere
     */
    NDArray attentionPartialCached(NDArray xn, NDArray cos, NDArray sin, NDArray mask, KvCache.Slot slot,
                                   Attention attention) {
        if (attention.isFused() && uniformGroup > 0) {
            return attention.fused().attentionCached(xn, wQkv, bQkv, qNorm, kNorm, rmsEps, cos, sin, heads, kvHeads,
                    headDim, wo, slot.keys(), slot.values(), slot.offset(), mask);
        }
        long b = xn.getShape().get(0);
        long n = xn.getShape().get(1);
        Qkv qkv = projectQkv(xn, cos, sin);
        long total = slot.offset() + n;
        NDIndex fresh = new NDIndex(":, :, " + slot.offset() + ":" + total);
        slot.keys().set(fresh, qkv.k());
        slot.values().set(fresh, qkv.v());
        // views of the filled part, owned by this call's manager (not the cache's, which lives across steps)
        NDIndex filled = new NDIndex(":, :, 0:" + total);
        NDArray keys = slot.keys().get(xn.getManager(), filled);
        NDArray values = slot.values().get(xn.getManager(), filled);
        NDArray context = attention.isFused() ? attention.fused().maskedAttention(qkv.q(), expandKv(keys),
                expandKv(values), mask)
                : maskedContext(qkv.q(), expandKv(keys).transpose(0, 1, 3, 2), expandKv(values), mask,
                        attention.scoreBudget());
        return context.transpose(0, 2, 1, 3).reshape(b, n, (long) heads * headDim).matMul(wo);
    }

    /** This rank's heads of q {@code [B, heads, n, d]}, k and v {@code [B, kvHeads, n, d]}. */
    private record Qkv(NDArray q, NDArray k, NDArray v) {
    }

    /**
     * The part shared by the full-sequence and the cached attention: the QKV projection with its bias, the q/k
     * norms where the model has them, rotary on q and k, and the heads moved before the positions.
     */
    private Qkv projectQkv(NDArray xn, NDArray cos, NDArray sin) {
        long b = xn.getShape().get(0);
        long n = xn.getShape().get(1);
        NDArray qkv = linear(xn, wQkv, bQkv);
        int qw = heads * headDim;
        int kw = kvHeads * headDim;
        NDArray q = qkv.get(":, :, 0:" + qw).reshape(b, n, heads, headDim);
        NDArray k = qkv.get(":, :, " + qw + ":" + (qw + kw)).reshape(b, n, kvHeads, headDim);
        NDArray v = qkv.get(":, :, " + (qw + kw) + ":" + (qw + 2 * kw)).reshape(b, n, kvHeads, headDim);
        if (qNorm != null) {
            q = RmsNorm.apply(q, qNorm, rmsEps);
            k = RmsNorm.apply(k, kNorm, rmsEps);
        }
        q = rotate(q.transpose(0, 2, 1, 3), cos, sin);
        k = rotate(k.transpose(0, 2, 1, 3), cos, sin);
        return new Qkv(q, k, v.transpose(0, 2, 1, 3));
    }

    /** softmax(q·kᵀ·scale + mask)·v with a per-row mask {@code [B, 1, n, T]}, in blocks of queries. */
    private NDArray maskedContext(NDArray q, NDArray kT, NDArray v, NDArray mask, long scoreBudget) {
        long b = q.getShape().get(0);
        long n = q.getShape().get(2);
        long total = kT.getShape().get(3);
        long chunk = Math.max(1, Math.min(n, scoreBudget / (b * heads * total)));
        if (chunk >= n) {
            return attend(q, kT, v, mask);
        }
        NDList parts = new NDList();
        for (long q0 = 0; q0 < n; q0 += chunk) {
            long q1 = Math.min(n, q0 + chunk);
            try (NDManager scope = q.getManager().newSubManager()) {
                String rows = ":, :, " + q0 + ":" + q1;
                NDArray qc = q.get(rows);
                scope.tempAttachAll(qc);
                parts.add(scope.ret(attend(qc, kT, v, mask.get(scope, new NDIndex(rows)))));
            }
        }
        return NDArrays.concat(parts, 2);
    }

    /**
     * The fused kernel groups KV heads itself when every local KV head serves the same number of consecutive query
     * heads; a rank whose heads straddle a KV group boundary hands it expanded k/v instead.
     */
    private NDArray fusedContext(Attention attention, NDArray q, NDArray k, NDArray v) {
        if (uniformGroup > 0) {
            return attention.fused().causalAttention(q, k, v);
        }
        return attention.fused().causalAttention(q, expandKv(k), expandKv(v));
    }

    /** softmax(q·kᵀ·scale + mask)·v as separate ops, in blocks of queries beyond {@code scoreBudget} scores. */
    private NDArray explicitContext(NDArray q, NDArray kT, NDArray v, NDArray mask, long scoreBudget) {
        long b = q.getShape().get(0);
        long len = q.getShape().get(2);
        long perQuery = b * heads * len;
        long chunk = Math.max(1, Math.min(len, scoreBudget / perQuery));
        NDArray context;
        if (chunk >= len) {
            context = attend(q, kT, v, mask != null ? mask
                    : CausalMask.rows(q.getManager(), 0, len, len, q.getDataType()));
        } else {
            NDList parts = new NDList();
            for (long q0 = 0; q0 < len; q0 += chunk) {
                long q1 = Math.min(len, q0 + chunk);
                try (NDManager scope = q.getManager().newSubManager()) {
                    NDArray qc = q.get(":, :, " + q0 + ":" + q1);
                    scope.tempAttachAll(qc);
                    NDArray rows = mask != null ? mask.get(scope, new NDIndex(q0 + ":" + q1))
                            : CausalMask.rows(scope, q0, q1, len, q.getDataType());
                    parts.add(scope.ret(attend(qc, kT, v, rows)));
                }
            }
            context = NDArrays.concat(parts, 2);
        }
        return context;
    }

    /** softmax(q·kᵀ·scale + mask)·v for a block of queries {@code [B, heads, q, d]}. */
    private NDArray attend(NDArray q, NDArray kT, NDArray v, NDArray mask) {
        NDArray qk = q.matMul(kT);
        NDArray scores = qk.mul(Scalars.of(qk, scale)).add(mask);
        return scores.softmax(-1).matMul(v);
    }

    /**
     * This rank's dense MLP partial {@code [B, L, H]} before the all-reduce (down_proj bias not included), as one
     * fused call when {@code kernels} is not null.
     */
    NDArray mlpPartial(NDArray xn, FusedKernels kernels) {
        if (mlp == null) {
            throw new IllegalStateException("a sparse layer has no dense MLP");
        }
        return mlp.apply(xn, kernels);
    }

    /** The experts this rank holds on a sparse layer, or null on a dense one. */
    RankExperts experts() {
        return experts;
    }

    private static NDArray linear(NDArray x, NDArray wT, NDArray bias) {
        NDArray y = x.matMul(wT);
        return bias == null ? y : y.add(bias);
    }

    /** Hugging Face rotate-half RoPE: {@code x·cos + cat(-x2, x1)·sin}. */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        int half = headDim / 2;
        NDArray x1 = x.get(":, :, :, :" + half);
        NDArray x2 = x.get(":, :, :, " + half + ":");
        NDArray rotated = x2.neg().concat(x1, 3);
        return x.mul(cos).add(rotated.mul(sin));
    }

    /**
     * Gives every local query head its KV head. When each local KV head serves the same number of consecutive query
     * heads (every even split), that is transformers' {@code repeat_kv}: one broadcast and one reshape. Otherwise
     * (a rank's heads straddle a KV group boundary) runs of heads sharing one KV head are broadcast and
     * concatenated once.
     */
    private NDArray expandKv(NDArray kv) {
        if (kvHeads == heads) {
            return kv;
        }
        Shape s = kv.getShape();
        if (uniformGroup > 0) {
            return kv.expandDims(2).broadcast(new Shape(s.get(0), kvHeads, uniformGroup, s.get(2), s.get(3)))
                    .reshape(s.get(0), heads, s.get(2), s.get(3));
        }
        NDList runs = new NDList();
        int i = 0;
        while (i < heads) {
            int j = i;
            while (j < heads && kvOfHead[j] == kvOfHead[i]) {
                j++;
            }
            int idx = kvOfHead[i];
            runs.add(kv.get(":, " + idx + ":" + (idx + 1)).broadcast(new Shape(s.get(0), j - i, s.get(2), s.get(3))));
            i = j;
        }
        return NDArrays.concat(runs, 1);
    }

    /** {@code r} when local query head i uses local KV head {@code i / r} for all i, else 0. */
    private static int uniformGroup(int[] kvOfHead, int kvHeads) {
        int heads = kvOfHead.length;
        if (kvHeads == 0 || heads % kvHeads != 0) {
            return 0;
        }
        int r = heads / kvHeads;
        for (int i = 0; i < heads; i++) {
            if (kvOfHead[i] != i / r) {
                return 0;
            }
        }
        return r;
    }
}
