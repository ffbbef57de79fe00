package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.checkpoint.StoredTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * The weights of a {@link TransformerModel}, read from a checkpoint and placed on the ranks' devices: replicated
 * embeddings, norms and lm_head on the primary device, each rank's column- and row-parallel slices on its own.
 * Keeps the model's constructor free of I/O. The managers it fills are handed to the model, which closes them.
 *
 * <p>Loading streams: a {@link HostStream} reads and widens the next tensors while this thread uploads the current
 * ones; each full tensor goes to the primary device once, and every rank's slices are cut from it there by
 * {@link RankSlicer} (concurrently, one thread per device, when the ranks span several devices) before it is freed.
 * Host memory is bounded by the stream's buffers; the primary device holds at most one layer's full tensors on
 * top of the weights.
 */
final class ModelWeights {
    final ModelConfig config;
    final ShardPlan plan;
    final List<Device> rankDevices = new ArrayList<>();
    final DataType computeType;
    final Map<Device, NDManager> managers = new LinkedHashMap<>();
    NDArray embedding;
    NDArray lmHead;
    NDArray finalNorm;
    final List<NDArray> inputNorms = new ArrayList<>();
    final List<NDArray> postNorms = new ArrayList<>();
    final List<NDArray> outputBiases = new ArrayList<>();
    final List<NDArray> downBiases = new ArrayList<>();
    final List<List<RankLayer>> layers = new ArrayList<>();
    /** Most staging buffers in use at once during the last {@link #load}: the host memory bound, measured. */
    int peakStagingBuffers;
    int stagingBufferBytes;

    ModelWeights(ModelConfig config, ShardPlan plan, List<Device> devices, DataType computeType) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device given");
        }
        this.config = config;
        this.plan = plan;
        this.computeType = computeType;
        for (int r = 0; r < plan.ranks(); r++) {
            rankDevices.add(devices.get(r % devices.size()));
        }
    }

    NDManager manager(Device d) {
        return managers.computeIfAbsent(d, Engines::newRootManager);
    }

    /** The tensors {@link #load} reads, in the order it reads them, each checked against config.json. */
    static List<StoredTensor> loadOrder(Checkpoint ck) {
        ModelConfig c = ck.config();
        int h = c.hiddenSize();
        int d = c.headDim();
        int qOut = c.numHeads() * d;
        int kvOut = c.numKvHeads() * d;
        int inter = c.intermediateSize();
        List<StoredTensor> out = new ArrayList<>();
        out.add(ck.tensor("model.embed_tokens.weight", c.vocabSize(), h));
        if (!c.tiedEmbeddings()) {
            out.add(ck.tensor("lm_head.weight", c.vocabSize(), h));
        }
        out.add(ck.tensor("model.norm.weight", h));
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            out.add(ck.tensor(p + "input_layernorm.weight", h));
            out.add(ck.tensor(p + "post_attention_layernorm.weight", h));
            out.add(ck.tensor(p + "self_attn.q_proj.weight", qOut, h));
            out.add(ck.tensor(p + "self_attn.k_proj.weight", kvOut, h));
            out.add(ck.tensor(p + "self_attn.v_proj.weight", kvOut, h));
            out.add(ck.tensor(p + "self_attn.o_proj.weight", h, qOut));
            if (c.qkvBias()) {
                out.add(ck.tensor(p + "self_attn.q_proj.bias", qOut));
                out.add(ck.tensor(p + "self_attn.k_proj.bias", kvOut));
                out.add(ck.tensor(p + "self_attn.v_proj.bias", kvOut));
            }
            if (c.outputBias()) {
                out.add(ck.tensor(p + "self_attn.o_proj.bias", h));
            }
            if (c.qkNorm()) {
                out.add(ck.tensor(p + "self_attn.q_norm.weight", d));
                out.add(ck.tensor(p + "self_attn.k_norm.weight", d));
            }
            out.add(ck.tensor(p + "mlp.gate_proj.weight", inter, h));
            out.add(ck.tensor(p + "mlp.up_proj.weight", inter, h));
            out.add(ck.tensor(p + "mlp.down_proj.weight", h, inter));
            if (c.mlpBias()) {
                out.add(ck.tensor(p + "mlp.gate_proj.bias", inter));
                out.add(ck.tensor(p + "mlp.up_proj.bias", inter));
                out.add(ck.tensor(p + "mlp.down_proj.bias", h));
            }
        }
        return out;
    }

    /**
     * Streams the checkpoint onto the devices. Every tensor is located and shape-checked before any is read, so
     * a malformed checkpoint fails at once with its one-line error. On failure the caller closes the managers.
     */
    void load(Checkpoint ck, LoadListener listener, LoadOptions options) {
        List<StoredTensor> order = loadOrder(ck);
        long total = order.stream().mapToLong(StoredTensor::storedBytes).sum();
        Device primary = rankDevices.get(0);
        // all managers exist before any worker thread runs: computeIfAbsent on a LinkedHashMap is not thread-safe
        NDManager main = manager(primary);
        rankDevices.forEach(this::manager);
        List<Device> devices = new ArrayList<>(new LinkedHashSet<>(rankDevices));
        ForkJoinPool widening = new ForkJoinPool(options.threads());
        ExecutorService movers = devices.size() > 1 ? Executors.newFixedThreadPool(devices.size()) : null;
        try (HostStream in = new HostStream(order, options.chunkBytes(), options.buffers(), widening)) {
            TensorUploader up = new TensorUploader(in, computeType, listener, total);
            embedding = up.next("model.embed_tokens.weight", main);
            try (NDManager scratch = main.newSubManager()) {
                NDArray head = config.tiedEmbeddings() ? embedding.get(scratch, new NDIndex(":"))
                        : up.next("lm_head.weight", scratch);
                lmHead = RankSlicer.transposedCopy(head);
                lmHead.attach(main);
            }
            finalNorm = up.next("model.norm.weight", main);
            RankSlicer slicer = new RankSlicer(config);
            for (int l = 0; l < config.numLayers(); l++) {
                String p = "model.layers." + l + ".";
                inputNorms.add(up.next(p + "input_layernorm.weight", main));
                postNorms.add(up.next(p + "post_attention_layernorm.weight", main));
                try (NDManager full = main.newSubManager()) {
                    LayerTensors t = nextLayer(up, p, full, main);
                    layers.add(buildRanks(slicer, t, full, devices, movers));
                }
                peakStagingBuffers = in.peakBuffersInUse();
                stagingBufferBytes = in.bufferBytes();
            }
        } finally {
            widening.shutdownNow();
            if (movers != null) {
                movers.shutdownNow();
            }
        }
    }

    /** A layer's full tensors on {@code full}; the unsharded o/down biases go to {@code main} as model weights. */
    private LayerTensors nextLayer(TensorUploader up, String p, NDManager full, NDManager main) {
        NDArray q = up.next(p + "self_attn.q_proj.weight", full);
        NDArray k = up.next(p + "self_attn.k_proj.weight", full);
        NDArray v = up.next(p + "self_attn.v_proj.weight", full);
        NDArray o = up.next(p + "self_attn.o_proj.weight", full);
        NDArray bq = config.qkvBias() ? up.next(p + "self_attn.q_proj.bias", full) : null;
        NDArray bk = config.qkvBias() ? up.next(p + "self_attn.k_proj.bias", full) : null;
        NDArray bv = config.qkvBias() ? up.next(p + "self_attn.v_proj.bias", full) : null;
        outputBiases.add(config.outputBias() ? up.next(p + "self_attn.o_proj.bias", main) : null);
        NDArray qn = config.qkNorm() ? up.next(p + "self_attn.q_norm.weight", full) : null;
        NDArray kn = config.qkNorm() ? up.next(p + "self_attn.k_norm.weight", full) : null;
        NDArray gate = up.next(p + "mlp.gate_proj.weight", full);
        NDArray upProj = up.next(p + "mlp.up_proj.weight", full);
        NDArray down = up.next(p + "mlp.down_proj.weight", full);
        NDArray bGate = config.mlpBias() ? up.next(p + "mlp.gate_proj.bias", full) : null;
        NDArray bUp = config.mlpBias() ? up.next(p + "mlp.up_proj.bias", full) : null;
        downBiases.add(config.mlpBias() ? up.next(p + "mlp.down_proj.bias", main) : null);
        return new LayerTensors(q, k, v, o, bq, bk, bv, qn, kn, gate, upProj, down, bGate, bUp);
    }

    /**
     * Every rank's share of one layer. With one device the ranks are cut in turn on this thread; with several,
     * one task per device cuts and moves its ranks' slices, so copies to different devices overlap.
     */
    private List<RankLayer> buildRanks(RankSlicer slicer, LayerTensors t, NDManager full, List<Device> devices,
                                       ExecutorService movers) {
        List<ShardPlan.RankSlice> slices = plan.slices();
        RankLayer[] out = new RankLayer[slices.size()];
        if (movers == null) {
            for (ShardPlan.RankSlice s : slices) {
                Device dev = rankDevices.get(s.rank());
                out[s.rank()] = slicer.build(s, t, full, dev, managers.get(dev));
            }
            return List.of(out);
        }
        List<Future<?>> running = new ArrayList<>();
        for (Device dev : devices) {
            NDManager owner = managers.get(dev);
            running.add(movers.submit(() -> {
                for (ShardPlan.RankSlice s : slices) {
                    if (rankDevices.get(s.rank()).equals(dev)) {
                        out[s.rank()] = slicer.build(s, t, full, dev, owner);
                    }
                }
            }));
        }
        RuntimeException failure = null;
        for (Future<?> f : running) { // wait for every task: none may still read the full tensors when they close
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("interrupted while loading", e);
            } catch (ExecutionException e) {
                RuntimeException r = e.getCause() instanceof RuntimeException re ? re
                        : new IllegalStateException(e.getCause());
                failure = failure != null ? failure : r;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return List.of(out);
    }
}
