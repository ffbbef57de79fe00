package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.LayerTensor;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.checkpoint.StoredTensor;
import dev.flashcomm.tp.checkpoint.TensorRole;
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
    /** Per layer, the replicated part of its sparse block, or null on a dense layer. */
    final List<SparseBlock> sparseBlocks = new ArrayList<>();
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
        List<StoredTensor> out = new ArrayList<>();
        out.add(ck.tensor("model.embed_tokens.weight", c.vocabSize(), h));
        if (!c.tiedEmbeddings()) {
            out.add(ck.tensor("lm_head.weight", c.vocabSize(), h));
        }
        out.add(ck.tensor("model.norm.weight", h));
        for (int l = 0; l < c.numLayers(); l++) {
            for (LayerTensor t : c.family().layerTensors(c, l)) {
                out.add(ck.tensor(t.name(), t.shape()));
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
                try (NDManager full = main.newSubManager()) {
                    LayerTensors t = new LayerTensors();
                    for (LayerTensor spec : config.family().layerTensors(config, l)) {
                        // replicated tensors (norms, biases added after a reduction, the router) are model
                        // weights on the primary device; the rest only live until the ranks are cut from them
                        NDManager owner = spec.role().replicated() ? main : full;
                        DataType type = spec.role() == TensorRole.ROUTER ? DataType.FLOAT32 : computeType;
                        t.put(spec, up.next(spec.name(), owner, type));
                    }
                    inputNorms.add(t.get(TensorRole.INPUT_NORM));
                    postNorms.add(t.get(TensorRole.POST_NORM));
                    outputBiases.add(t.get(TensorRole.O_BIAS));
                    downBiases.add(t.get(TensorRole.DOWN_BIAS));
                    sparseBlocks.add(config.sparseLayer(l) ? sparseBlock(t, main, full) : null);
                    int layer = l;
                    layers.add(buildRanks((s, dev, owner) -> slicer.build(plan, s, t, full, dev, owner, layer),
                            devices, movers));
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

    /**
     * The router as {@code [H, E]} fp32 and the shared expert's gate as {@code [H, 1]}, both on {@code main}. The
     * checkpoint's rows and the transpose's intermediates go to the layer's {@code full} manager, closed after the
     * layer: left on {@code main}, the transposed view would keep every sparse layer's {@code [E, H]} rows alive.
     */
    private SparseBlock sparseBlock(LayerTensors t, NDManager main, NDManager full) {
        NDArray routerRows = t.get(TensorRole.ROUTER);
        routerRows.attach(full);
        NDArray router = RankSlicer.transposedCopy(routerRows);
        router.attach(main);
        NDArray gateRow = t.get(TensorRole.SHARED_EXPERT_GATE);
        NDArray sharedGate = null;
        if (gateRow != null) {
            gateRow.attach(full);
            sharedGate = RankSlicer.transposedCopy(gateRow);
            sharedGate.attach(main);
        }
        return new SparseBlock(config.moe(), router, sharedGate);
    }

    /** Builds one rank's layer on its device. */
    @FunctionalInterface
    interface RankBuilder {
        RankLayer build(ShardPlan.RankSlice slice, Device device, NDManager owner);
    }

    /**
     * Every rank's share of one layer. With one device the ranks are cut in turn on this thread; with several,
     * one task per device cuts and moves its ranks' slices, so copies to different devices overlap.
     */
    private List<RankLayer> buildRanks(RankBuilder slicer, List<Device> devices, ExecutorService movers) {
        List<ShardPlan.RankSlice> slices = plan.slices();
        RankLayer[] out = new RankLayer[slices.size()];
        if (movers == null) {
            for (ShardPlan.RankSlice s : slices) {
                Device dev = rankDevices.get(s.rank());
                out[s.rank()] = slicer.build(s, dev, managers.get(dev));
            }
            return List.of(out);
        }
        List<Future<?>> running = new ArrayList<>();
        for (Device dev : devices) {
            NDManager owner = managers.get(dev);
            running.add(movers.submit(() -> {
                for (ShardPlan.RankSlice s : slices) {
                    if (rankDevices.get(s.rank()).equals(dev)) {
                        out[s.rank()] = slicer.build(s, dev, owner);
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
