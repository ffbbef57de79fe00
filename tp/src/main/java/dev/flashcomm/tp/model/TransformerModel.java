package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.Site;
import java.util.ArrayList;
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
    private final RotaryTable rotary;

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
        this.rotary = new RotaryTable(config.ropeScaling().inverseFrequencies(config.ropeTheta(), config.headDim()));
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

    /**
     * Full-sequence causal forward over a batch of windows.
     *
     * @param ids  {@code [B, L]} int32 or int64 token ids on the primary device; the caller's manager owns them and
     *             will own every activation and the result
     * @param comm how row-parallel partials are combined
     * @return logits {@code [B, L, V]} in fp32
     */
    public NDArray logits(NDArray ids, Communicator comm) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("ids must be [batch, length], got " + shape);
        }
        long batch = shape.get(0);
        int len = (int) shape.get(1);
        NDManager step = ids.getManager();
        NDArray flat = ids.reshape(batch * len).toType(DataType.INT64, false);
        NDArray x = embedding.get(step, new NDIndex("{}", flat)).reshape(batch, len, config.hiddenSize());
        NDArray[] cosSin = rotary.create(step, len);
        NDArray mask = causalMask(step, len);
        NDArray cos = cast(cosSin[0]);
        NDArray sin = cast(cosSin[1]);
        mask = cast(mask);
        float eps = (float) config.rmsNormEps();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            List<RankLayer> ranks = layers.get(layer);
            NDArray xn = RmsNorm.apply(x, inputNorms.get(layer), eps);
            List<NDArray> partials = new ArrayList<>(ranks.size());
            for (int r = 0; r < ranks.size(); r++) {
                Device d = rankDevices.get(r);
                partials.add(ranks.get(r).attentionPartial(onDevice(xn, d), onDevice(cos, d), onDevice(sin, d),
                        onDevice(mask, d)));
            }
            NDArray attn = comm.allReduce(partials, layer, Site.ATTENTION);
            if (outputBiases.get(layer) != null) {
                attn = attn.add(outputBiases.get(layer)); // a row-parallel bias is added once, after the reduction
            }
            x = x.add(attn);
            xn = RmsNorm.apply(x, postNorms.get(layer), eps);
            partials = new ArrayList<>(ranks.size());
            for (int r = 0; r < ranks.size(); r++) {
                partials.add(ranks.get(r).mlpPartial(onDevice(xn, rankDevices.get(r))));
            }
            NDArray mlp = comm.allReduce(partials, layer, Site.MLP);
            if (downBiases.get(layer) != null) {
                mlp = mlp.add(downBiases.get(layer));
            }
            x = x.add(mlp);
        }
        NDArray logits = RmsNorm.apply(x, finalNorm, eps).matMul(lmHead);
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }

    private NDArray cast(NDArray a) {
        return computeType == DataType.FLOAT32 ? a : a.toType(computeType, false);
    }

    private static NDArray onDevice(NDArray a, Device d) {
        return a.getDevice().equals(d) ? a : a.toDevice(d, true);
    }

    private static NDArray causalMask(NDManager manager, int len) {
        float[] m = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = i + 1; j < len; j++) {
                m[i * len + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return manager.create(m, new Shape(len, len));
    }

    @Override
    public void close() {
        managers.values().forEach(NDManager::close);
    }
}
