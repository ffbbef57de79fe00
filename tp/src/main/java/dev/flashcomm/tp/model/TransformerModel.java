package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.HostTensor;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.Site;
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

    private TransformerModel(Builder b) {
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
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be fp32 or fp16, got " + computeType);
        }
        Builder b = new Builder(checkpoint.config(), plan, devices, computeType);
        try {
            b.load(checkpoint);
            return new TransformerModel(b);
        } catch (RuntimeException e) {
            b.managers.values().forEach(NDManager::close);
            throw e;
        }
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

    /** Collects weights while loading; keeps the constructor free of I/O. */
    private static final class Builder {
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

        Builder(ModelConfig config, ShardPlan plan, List<Device> devices, DataType computeType) {
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

        NDArray put(Device d, HostTensor t) {
            NDManager m = manager(d);
            NDArray a = m.create(t.data(), new Shape(t.shape()));
            if (computeType != DataType.FLOAT32) {
                NDArray c = a.toType(computeType, false);
                a.close();
                a = c;
            }
            return a;
        }

        void load(Checkpoint ck) {
            int h = config.hiddenSize();
            int v = config.vocabSize();
            int d = config.headDim();
            Device primary = rankDevices.get(0);
            HostTensor embed = ck.load("model.embed_tokens.weight", v, h);
            embedding = put(primary, embed);
            HostTensor head = config.tiedEmbeddings() ? embed : ck.load("lm_head.weight", v, h);
            lmHead = put(primary, head.transposed());
            finalNorm = put(primary, ck.load("model.norm.weight", h));
            for (int l = 0; l < config.numLayers(); l++) {
                String p = "model.layers." + l + ".";
                inputNorms.add(put(primary, ck.load(p + "input_layernorm.weight", h)));
                postNorms.add(put(primary, ck.load(p + "post_attention_layernorm.weight", h)));
                int qOut = config.numHeads() * d;
                int kvOut = config.numKvHeads() * d;
                HostTensor q = ck.load(p + "self_attn.q_proj.weight", qOut, h);
                HostTensor k = ck.load(p + "self_attn.k_proj.weight", kvOut, h);
                HostTensor vv = ck.load(p + "self_attn.v_proj.weight", kvOut, h);
                HostTensor o = ck.load(p + "self_attn.o_proj.weight", h, qOut);
                HostTensor bq = config.qkvBias() ? ck.load(p + "self_attn.q_proj.bias", qOut) : null;
                HostTensor bk = config.qkvBias() ? ck.load(p + "self_attn.k_proj.bias", kvOut) : null;
                HostTensor bv = config.qkvBias() ? ck.load(p + "self_attn.v_proj.bias", kvOut) : null;
                outputBiases.add(config.outputBias() ? put(primary, ck.load(p + "self_attn.o_proj.bias", h)) : null);
                HostTensor qn = config.qkNorm() ? ck.load(p + "self_attn.q_norm.weight", d) : null;
                HostTensor kn = config.qkNorm() ? ck.load(p + "self_attn.k_norm.weight", d) : null;
                int inter = config.intermediateSize();
                HostTensor gate = ck.load(p + "mlp.gate_proj.weight", inter, h);
                HostTensor up = ck.load(p + "mlp.up_proj.weight", inter, h);
                HostTensor down = ck.load(p + "mlp.down_proj.weight", h, inter);
                HostTensor bGate = config.mlpBias() ? ck.load(p + "mlp.gate_proj.bias", inter) : null;
                HostTensor bUp = config.mlpBias() ? ck.load(p + "mlp.up_proj.bias", inter) : null;
                downBiases.add(config.mlpBias() ? put(primary, ck.load(p + "mlp.down_proj.bias", h)) : null);
                List<RankLayer> ranks = new ArrayList<>();
                for (ShardPlan.RankSlice s : plan.slices()) {
                    Device dev = rankDevices.get(s.rank());
                    int q0 = s.headFrom() * d;
                    int q1 = s.headTo() * d;
                    int k0 = s.kvFrom() * d;
                    int k1 = s.kvTo() * d;
                    int m0 = s.mlpFrom();
                    int m1 = s.mlpTo();
                    HostTensor qkv = HostTensor.concatRows(q.rowSlice(q0, q1), k.rowSlice(k0, k1),
                            vv.rowSlice(k0, k1));
                    HostTensor qkvBias = bq == null ? null
                            : HostTensor.concatRows(bq.rowSlice(q0, q1), bk.rowSlice(k0, k1), bv.rowSlice(k0, k1));
                    HostTensor gateUp = HostTensor.concatRows(gate.rowSlice(m0, m1), up.rowSlice(m0, m1));
                    HostTensor gateUpBias = bGate == null ? null
                            : HostTensor.concatRows(bGate.rowSlice(m0, m1), bUp.rowSlice(m0, m1));
                    ranks.add(new RankLayer(s, config.groupSize(), d, (float) config.rmsNormEps(),
                            put(dev, qkv.transposed()), qkvBias == null ? null : put(dev, qkvBias),
                            put(dev, o.colSlice(q0, q1).transposed()),
                            qn == null ? null : put(dev, qn), kn == null ? null : put(dev, kn),
                            put(dev, gateUp.transposed()), gateUpBias == null ? null : put(dev, gateUpBias),
                            put(dev, down.colSlice(m0, m1).transposed())));
                }
                layers.add(ranks);
            }
        }

    }
}
