package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.Site;
import dev.flashcomm.tp.kernels.FusedKernels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LLaMA / Qwen2 / Qwen3 decoder split over N tensor-parallel ranks. Embeddings, norms and the lm_head are
 * replicated on the primary device (rank 0's); every decoder layer runs each rank's attention and MLP slice and
 * hands the row-parallel partials to a {@link Communicator}. With one rank it is the plain, unsharded model.
 *
 * <p>Weights live on per-device managers owned by this object; activations live on whatever manager the caller's
 * input ids live on, so a caller that scopes each batch in a sub-manager frees everything a forward pass made.
 */
public final class TransformerModel implements AutoCloseable {

    /**
     * Attention scores held at once per rank, in elements: 2^28 (1 GiB in fp32). An 8B model's 32 heads at 2048
     * tokens need 2^27 per window, so batches of a few windows run unchunked; longer windows or larger batches are
     * computed in blocks of queries instead of running out of memory.
     */
    public static final long ATTENTION_SCORE_BUDGET = 1L << 28;


    private final ModelConfig config;
    private final ShardPlan plan;
    private final List<Device> rankDevices;
    private final DataType computeType;
    private final Map<Device, NDManager> managers;
    private final NDArray embedding;
    private final NDArray lmHead;
    private final NDArray finalNorm;
    private final List<NDArray> inputNorms;
    private final List<NDArray> postNorms;
    private final List<NDArray> outputBiases;
    private final List<NDArray> downBiases;
    private final List<List<RankLayer>> layers;
    /** Per layer, its sparse block's replicated part, or null on a dense layer. */
    private final List<SparseBlock> sparseBlocks;
    private final RotaryTable rotary;
    /** The fused attention kernels, or null where libtorch could not compile them (then {@link #attentionNote}). */
    private final FusedKernels fused;
    private final String attentionNote;

    private TransformerModel(ModelWeights b) {
        this.config = b.config;
        this.plan = b.plan;
        this.rankDevices = List.copyOf(b.rankDevices);
        this.computeType = b.computeType;
        this.managers = b.managers;
        this.embedding = b.embedding;
        this.lmHead = b.lmHead;
        this.finalNorm = b.finalNorm;
        this.inputNorms = List.copyOf(b.inputNorms);
        this.postNorms = List.copyOf(b.postNorms);
        this.outputBiases = b.outputBiases;
        this.downBiases = b.downBiases;
        this.layers = List.copyOf(b.layers);
        this.sparseBlocks = new ArrayList<>(b.sparseBlocks);
        while (sparseBlocks.size() < layers.size()) {
            sparseBlocks.add(null); // a loader that fills no sparse blocks built a dense model
        }
        this.rotary = new RotaryTable(config.ropeScaling().inverseFrequencies(config.ropeTheta(), config.headDim()));
        FusedKernels kernels = null;
        String note = "fused (scaled_dot_product_attention; rank layers as TorchScript calls)";
        if (FusedKernels.enabledForLayersOn(rankDevices.get(0).getDeviceType())) {
            try {
                kernels = loadKernels();
            } catch (UnsupportedOperationException e) {
                note = "explicit (" + e.getMessage().strip().lines().findFirst().orElse("") + ")";
            }
        } else {
            note = "explicit (the DJL ops; -D" + FusedKernels.ENABLED_PROPERTY + "=true fuses them on a CPU too)";
        }
        this.fused = kernels;
        this.attentionNote = note;
    }

    /**
     * Checks, without reading any weight, that the checkpoint holds every tensor the model needs with the dtype and
     * shape its config implies: what {@link #load} checks first, for callers that must fail before other work.
     *
     * @throws dev.flashcomm.tp.checkpoint.CheckpointException naming the file and tensor
     */
    public static void checkWeights(Checkpoint checkpoint) {
        ModelWeights.loadOrder(checkpoint);
    }

    /**
     * Loads the checkpoint split by {@code plan}; rank r is placed on {@code devices.get(r % devices.size())}.
     * The returned model owns native memory: close it.
     */
    public static TransformerModel load(Checkpoint checkpoint, ShardPlan plan, List<Device> devices,
                                        DataType computeType) {
        return load(checkpoint, plan, devices, computeType, LoadListener.NONE);
    }

    /**
     * As {@link #load(Checkpoint, ShardPlan, List, DataType)}, telling {@code listener} as each tensor is loaded.
     * Tensors are streamed: host memory holds a few staging buffers at a time, never the whole model.
     */
    public static TransformerModel load(Checkpoint checkpoint, ShardPlan plan, List<Device> devices,
                                        DataType computeType, LoadListener listener) {
        return load(checkpoint, plan, devices, computeType, listener, LoadOptions.defaults());
    }

    static TransformerModel load(Checkpoint checkpoint, ShardPlan plan, List<Device> devices,
                                 DataType computeType, LoadListener listener, LoadOptions options) {
        return from(weights(checkpoint, plan, devices, computeType, listener, options));
    }

    /** The loaded weights, before they become a model; on failure every manager is already closed. */
    static ModelWeights weights(Checkpoint checkpoint, ShardPlan plan, List<Device> devices,
                                DataType computeType, LoadListener listener, LoadOptions options) {
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be fp32 or fp16, got " + computeType);
        }
        ModelWeights b = new ModelWeights(checkpoint.config(), plan, devices, computeType);
        try {
            b.load(checkpoint, listener, options);
            return b;
        } catch (RuntimeException e) {
            b.managers.values().forEach(NDManager::close);
            throw e;
        }
    }

    /** A model over weights filled by any loader (tests compare loaders this way); it takes over their managers. */
    static TransformerModel from(ModelWeights weights) {
        return new TransformerModel(weights);
    }

    public ModelConfig config() {
        return config;
    }

    public ShardPlan plan() {
        return plan;
    }

    public int ranks() {
        return plan.ranks();
    }

    public Device primaryDevice() {
        return rankDevices.get(0);
    }

    public DataType computeType() {
        return computeType;
    }

    /** Fused kernels written for this model's layers, under the primary device's manager (closed with it). */
    FusedKernels loadKernels() {
        return FusedKernels.load(managers.get(rankDevices.get(0)),
                new FusedKernels.LayerFeatures(config.qkvBias(), config.qkNorm(), config.mlpBias()));
    }

    /** Whether {@link #finalHidden(NDArray, Communicator)} runs the fused attention core (no score matrix). */
    public boolean fusedAttention() {
        return fused != null;
    }

    /** Which attention core {@link #finalHidden(NDArray, Communicator)} runs, and why when it is not the fused one. */
    public String attentionKernel() {
        return attentionNote;
    }

    /**
     * Full-sequence causal forward over a batch of windows, with the full {@code [B, L, V]} logits. Scoring code
     * should prefer {@link #finalHidden} plus {@link #logitsOf} over chunks of positions, which never holds them all.
     *
     * @param ids  {@code [B, L]} int32 or int64 token ids on the primary device; the caller's manager owns them and
     *             will own the result
     * @param comm how row-parallel partials are combined
     * @return logits {@code [B, L, V]} in fp32
     */
    public NDArray logits(NDArray ids, Communicator comm) {
        return logitsOf(finalHidden(ids, comm));
    }

    /**
     * The decoder stack and the final norm: {@code [B, L, H]} hidden states in the compute dtype, on the primary
     * device, owned by the manager of {@code ids}.
     *
     * <p>Each decoder layer runs in its own sub-manager and only its output survives it, so the arrays alive at any
     * time are one layer's activations plus the residual stream: memory does not grow with the number of layers.
     * After the last layer one device-to-host read checks that no layer produced Inf/NaN (see
     * {@link NonFiniteActivationException}); nothing else waits for the device.
     */
    public NDArray finalHidden(NDArray ids, Communicator comm) {
        return finalHidden(ids, comm, new Attention(fused, ATTENTION_SCORE_BUDGET));
    }

    /** As {@link #finalHidden(NDArray, Communicator)} with the explicit attention core in blocks (tests). */
    NDArray finalHidden(NDArray ids, Communicator comm, long scoreBudget) {
        return finalHidden(ids, comm, Attention.explicit(scoreBudget));
    }

    /** As {@link #finalHidden(NDArray, Communicator)} with a chosen attention core. */
    NDArray finalHidden(NDArray ids, Communicator comm, Attention attention) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("ids must be [batch, length], got " + shape);
        }
        int len = Math.toIntExact(shape.get(1));
        NDManager step = ids.getManager();
        Map<Device, AttentionInputs> inputs = attentionInputs(step, len, attention);
        return stack(ids, comm, attention, (layer, r, rank, xn) -> {
            AttentionInputs in = inputs.get(rankDevices.get(r));
            return rank.attentionPartial(xn, in.cos(), in.sin(), in.mask(), attention);
        });
    }

    /**
     * Starts an incremental decode of {@code padding.length} rows, each left-padded by {@code padding[b]} slots,
     * with room for {@code capacity} slots (padding, prompt and generated tokens of the longest row). The KV cache is
     * allocated now, on each rank's device; close the session to free it.
     */
    public DecodeSession startDecoding(int[] padding, int capacity) {
        return startDecoding(padding, capacity, new Attention(fused, ATTENTION_SCORE_BUDGET));
    }

    /** As {@link #startDecoding(int[], int)} with a chosen attention core (tests). */
    DecodeSession startDecoding(int[] padding, int capacity, Attention attention) {
        if (padding.length == 0) {
            throw new IllegalArgumentException("a decode needs at least one row");
        }
        for (int p : padding) {
            if (p < 0 || p >= capacity) {
                throw new IllegalArgumentException("padding " + p + " outside [0, " + capacity + ")");
            }
        }
        int[] kvHeads = layers.get(0).stream().mapToInt(RankLayer::kvHeads).toArray();
        KvCache cache = new KvCache(managers, rankDevices, kvHeads, config.numLayers(), padding.length, capacity,
                config.headDim(), computeType);
        return new DecodeSession(this, cache, padding, attention);
    }

    /** Bytes of KV cache per slot of one row, all layers and ranks: what a decode's capacity costs. */
    public long kvCacheBytesPerSlot() {
        long heads = layers.get(0).stream().mapToLong(RankLayer::kvHeads).sum();
        return 2L * config.numLayers() * heads * config.headDim() * computeType.getNumOfBytes();
    }

    /**
     * The decoder stack over slots {@code [offset, offset + n)} of a decode (see {@link DecodeSession#step}), with
     * each rank's keys and values written into and read from {@code cache}.
     *
     * @param positions {@code [B, n]} fp32 positions of the slots
     * @param mask      {@code [B, 1, n, offset + n]} additive mask in the compute dtype
     */
    NDArray cachedHidden(NDArray ids, Communicator comm, KvCache cache, int offset, NDArray positions,
                         NDArray mask, Attention attention) {
        NDArray[] cosSin = rotary.at(positions);
        Map<Device, AttentionInputs> inputs = onRankDevices(new AttentionInputs(cast(cosSin[0]), cast(cosSin[1]),
                mask));
        return stack(ids, comm, attention, (layer, r, rank, xn) -> {
            AttentionInputs in = inputs.get(rankDevices.get(r));
            return rank.attentionPartialCached(xn, in.cos(), in.sin(), in.mask(), cache.slot(layer, r, offset),
                    attention);
        });
    }

    /**
     * The one decoder stack of scoring, prefill and decode: embeddings, every layer (attention through
     * {@code attend}, which alone differs between a full sequence and a cached step), the Inf/NaN check and the final
     * norm. Each layer runs in its own sub-manager and only its output survives it, so the arrays alive at any time
     * are one layer's activations plus the residual stream.
     */
    private NDArray stack(NDArray ids, Communicator comm, Attention attention, RankAttention attend) {
        NDManager step = ids.getManager();
        long batch = ids.getShape().get(0);
        int len = Math.toIntExact(ids.getShape().get(1));
        NDArray flat = ids.reshape(batch * len).toType(DataType.INT64, false);
        NDArray x = embedding.get(step, new NDIndex("{}", flat)).reshape(batch, len, config.hiddenSize());
        HealthLog health = new HealthLog(step, config.numLayers());
        float eps = (float) config.rmsNormEps();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            NDArray next;
            try (NDManager scope = step.newSubManager()) {
                scope.tempAttachAll(x);
                next = scope.ret(decoderLayer(layer, x, attend, comm, health, eps, attention));
            }
            x.close(); // the previous residual stream: nothing refers to it any more
            x = next;
        }
        health.check(computeType);
        return RmsNorm.apply(x, finalNorm, eps);
    }

    /** One rank's attention partial of a layer, given the normed input on the rank's device. */
    @FunctionalInterface
    private interface RankAttention {
        NDArray partial(int layer, int rank, RankLayer rankLayer, NDArray xn);
    }

    /**
     * The lm_head over hidden states {@code [.., H]} (any leading shape, e.g. a chunk of positions), as fp32 logits
     * {@code [.., V]} owned by the hidden states' manager.
     */
    public NDArray logitsOf(NDArray hidden) {
        NDArray logits = hidden.matMul(lmHead);
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }

    private NDArray decoderLayer(int layer, NDArray x, RankAttention attend, Communicator comm,
                                 HealthLog health, float eps, Attention attention) {
        List<RankLayer> ranks = layers.get(layer);
        // with the fused kernels each norm and each residual add (with its Inf/NaN watch) is one call, not 4-9 ops:
        // a decode step is made of small ops, and issuing them one by one is most of its time
        FusedKernels k = attention.fused();
        NDArray xn = k != null ? k.rmsNorm(x, inputNorms.get(layer), eps)
                : RmsNorm.apply(x, inputNorms.get(layer), eps);
        List<NDArray> partials = new ArrayList<>(ranks.size());
        for (int r = 0; r < ranks.size(); r++) {
            // one rank's temporaries die before the next rank starts; only the partials wait for the all-reduce
            try (NDManager scope = xn.getManager().newSubManager()) {
                scope.tempAttachAll(xn);
                partials.add(scope.ret(attend.partial(layer, r, ranks.get(r), onDevice(xn, rankDevices.get(r)))));
            }
        }
        NDArray attn = RowParallel.reduce(comm, partials, layer, Site.ATTENTION, outputBiases.get(layer));
        NDArray h;
        if (k != null) {
            NDArray[] hn = k.residualNorm(x, attn, postNorms.get(layer), eps, health.maxima(),
                    health.slot(layer, Site.ATTENTION));
            h = hn[0];
            xn = hn[1];
        } else {
            h = x.add(attn);
            health.record(layer, Site.ATTENTION, h);
            xn = RmsNorm.apply(h, postNorms.get(layer), eps);
        }
        SparseBlock sparse = sparseBlocks.get(layer);
        NDArray mlp = sparse != null ? sparseMlp(sparse, layer, xn, ranks, comm, k)
                : RowParallel.reduce(comm, densePartials(xn, ranks, k), layer, Site.MLP, downBiases.get(layer));
        if (k != null) {
            return k.residual(h, mlp, health.maxima(), health.slot(layer, Site.MLP));
        }
        NDArray out = h.add(mlp);
        health.record(layer, Site.MLP, out);
        return out;
    }

    /** Each rank's dense MLP partial; one rank's temporaries die before the next rank starts. */
    private List<NDArray> densePartials(NDArray xn, List<RankLayer> ranks, FusedKernels k) {
        List<NDArray> partials = new ArrayList<>(ranks.size());
        for (int r = 0; r < ranks.size(); r++) {
            RankLayer rank = ranks.get(r);
            try (NDManager scope = xn.getManager().newSubManager()) {
                scope.tempAttachAll(xn);
                partials.add(scope.ret(rank.mlpPartial(onDevice(xn, rankDevices.get(r)), k)));
            }
        }
        return partials;
    }

    /**
     * A sparse block with tensor-parallel experts: the replicated router picks each token's experts, every rank
     * computes its columns of those experts (and of the shared expert) over the tokens grouped by expert, and the
     * partials meet in one all-reduce at the {@code mlp} site, as a dense MLP's do.
     */
    private NDArray sparseMlp(SparseBlock block, int layer, NDArray xn, List<RankLayer> ranks, Communicator comm,
                              FusedKernels k) {
        Shape shape = xn.getShape();
        long tokens = shape.get(0) * shape.get(1);
        Routing routing = block.route(xn);
        if (comm instanceof RoutingObserver observer) {
            observer.routed(layer, routing);
        }
        if (plan.moeParallel() == MoeParallel.EP) {
            return expertParallelMlp(block, layer, xn, routing, ranks, comm, k);
        }
        NDManager layerScope = xn.getManager();
        Map<Device, SparseBlock.DeviceRouting> index = SparseBlock.onDevices(routing, rankDevices, layerScope,
                computeType);
        NDArray xFlat = xn.reshape(tokens, config.hiddenSize());
        NDArray gate = block.sharedGate(xFlat);
        List<NDArray> partials = new ArrayList<>(ranks.size());
        for (int r = 0; r < ranks.size(); r++) {
            Device dev = rankDevices.get(r);
            try (NDManager scope = layerScope.newSubManager()) {
                scope.tempAttachAll(xFlat);
                NDArray y = SparseBlock.tensorParallelPartial(onDevice(xFlat, dev), index.get(dev),
                        ranks.get(r).experts(), gate == null ? null : onDevice(gate, dev), block.spec().topK(), k);
                partials.add(scope.ret(y.reshape(shape)));
            }
        }
        return RowParallel.reduce(comm, partials, layer, Site.MLP, null);
    }

    /**
     * A sparse block with expert parallelism: every token's state is dispatched (rounded once, to the dispatch
     * format) to the ranks that own its experts, each expert runs whole on its owner's device over its tokens, the
     * outputs are combined back (rounded to the combine format) and summed with their routing weights in fp32, in
     * increasing expert order, on the token's rank. The shared expert runs where the token is and is never
     * communicated.
     */
    private NDArray expertParallelMlp(SparseBlock block, int layer, NDArray xn, Routing routing,
                                      List<RankLayer> ranks, Communicator comm, FusedKernels k) {
        Shape shape = xn.getShape();
        int tokens = routing.tokens();
        int topK = routing.topK();
        long hidden = config.hiddenSize();
        ExpertTraffic traffic = ExpertTraffic.of(routing, plan);
        NDManager layerScope = xn.getManager();
        Device home = rankDevices.get(0);
        SparseBlock.DeviceRouting index = SparseBlock.onDevices(routing, List.of(home), layerScope, computeType)
                .get(home);
        NDArray xFlat = xn.reshape(tokens, hidden);
        NDArray dispatched = comm.transfer(xFlat, layer, Site.DISPATCH, traffic.dispatch());
        NDArray rows = dispatched.get(new NDIndex("{}", index.rowTokens()));
        NDList outputs = new NDList();
        int[] counts = index.counts();
        int from = 0;
        for (int owner = 0; owner < ranks.size(); owner++) {
            // a rank's experts are a contiguous range, so its rows are one contiguous block of the expert order
            int[] range = plan.range(owner, counts.length);
            int n = 0;
            for (int e = range[0]; e < range[1]; e++) {
                n += counts[e];
            }
            if (n > 0) {
                Device dev = rankDevices.get(owner);
                try (NDManager scope = layerScope.newSubManager()) {
                    NDArray mine = onDevice(rows.get(from + ":" + (from + n)), dev);
                    scope.tempAttachAll(mine);
                    NDArray y = ranks.get(owner).experts().overRows(range[0], range[1], counts, mine, k);
                    outputs.add(scope.ret(onDevice(y, home)));
                }
            }
            from += n;
        }
        NDArray expertRows = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
        NDArray combined = comm.transfer(expertRows, layer, Site.COMBINE, traffic.combine());
        // back in (token, slot) order, slots in increasing expert order; weights and sum in fp32
        NDArray perSlot = combined.toType(DataType.FLOAT32, false).get(new NDIndex("{}", index.pairPositions()))
                .reshape(tokens, topK, hidden);
        NDArray weights = layerScope.create(routing.weight(), new Shape(tokens, topK, 1)).toDevice(home, false);
        NDArray y = null;
        for (int j = 0; j < topK; j++) {
            NDIndex slot = new NDIndex(":, " + j + ", :");
            NDArray term = perSlot.get(slot).mul(weights.get(slot));
            y = y == null ? term : y.add(term);
        }
        y = y.toType(computeType, false);
        RankExperts holder = ranks.get(0).experts();
        if (holder.shared() != null) {
            y = y.add(holder.shared().apply(xFlat, k).mul(block.sharedGate(xFlat)));
        }
        return y.reshape(shape);
    }

    /**
     * RoPE tables and (for the explicit attention core; the fused one masks itself) the causal mask, made once per
     * forward and copied once to each rank device. The whole {@code [L, L]} mask is made only while it fits the score
     * budget; beyond it (long windows) the mask is null and each block of queries builds its own rows
     * ({@link CausalMask}).
     */
    private Map<Device, AttentionInputs> attentionInputs(NDManager step, int len, Attention attention) {
        NDArray[] cosSin = rotary.create(step, len);
        NDArray mask = attention.isFused() || (long) len * len > attention.scoreBudget() ? null
                : CausalMask.rows(step, 0, len, len, computeType);
        return onRankDevices(new AttentionInputs(cast(cosSin[0]), cast(cosSin[1]), mask));
    }

    /** The inputs copied once to every rank device. */
    private Map<Device, AttentionInputs> onRankDevices(AttentionInputs primary) {
        Map<Device, AttentionInputs> out = new LinkedHashMap<>();
        for (Device d : rankDevices) {
            out.computeIfAbsent(d, dev -> dev.equals(primary.cos().getDevice()) ? primary
                    : new AttentionInputs(primary.cos().toDevice(dev, true), primary.sin().toDevice(dev, true),
                            primary.mask() == null ? null : primary.mask().toDevice(dev, true)));
        }
        return out;
    }

    /** @param mask the whole causal mask, or null when blocks of queries build their own rows */
    private record AttentionInputs(NDArray cos, NDArray sin, NDArray mask) {
    }

    private NDArray cast(NDArray a) {
        return computeType == DataType.FLOAT32 ? a : a.toType(computeType, false);
    }

    private static NDArray onDevice(NDArray a, Device d) {
        return a.getDevice().equals(d) ? a : a.toDevice(d, true);
    }

    @Override
    public void close() {
        if (fused != null) {
            fused.close();
        }
        managers.values().forEach(NDManager::close);
    }
}
