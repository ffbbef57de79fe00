package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.HostTensor;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a {@link TransformerModel}, read from a checkpoint and placed on the ranks' devices: replicated
 * embeddings, norms and lm_head on the primary device, each rank's column- and row-parallel slices on its own.
 * Keeps the model's constructor free of I/O. The managers it fills are handed to the model, which closes them.
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
