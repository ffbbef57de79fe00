package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The loader as it was before streaming (HostTensor slices, Java-loop transposes), kept in tests only as the
 * reference the streaming loader must reproduce bit for bit.
 */
final class HostTensorLoader {

    private final ModelWeights w;

    HostTensorLoader(ModelWeights w) {
        this.w = w;
    }

    private NDArray put(Device d, HostTensor t) {
        NDManager m = w.manager(d);
        NDArray a = m.create(t.data(), new Shape(t.shape()));
        if (w.computeType != DataType.FLOAT32) {
            NDArray c = a.toType(w.computeType, false);
            a.close();
            a = c;
        }
        return a;
    }

    /** Fills {@code w} the old way: whole tensors widened, sliced, fused and transposed in Java. */
    void load(Checkpoint ck) {
        int h = w.config.hiddenSize();
        int v = w.config.vocabSize();
        int d = w.config.headDim();
        Device primary = w.rankDevices.get(0);
        HostTensor embed = ck.load("model.embed_tokens.weight", v, h);
        w.embedding = put(primary, embed);
        HostTensor head = w.config.tiedEmbeddings() ? embed : ck.load("lm_head.weight", v, h);
        w.lmHead = put(primary, head.transposed());
        w.finalNorm = put(primary, ck.load("model.norm.weight", h));
        for (int l = 0; l < w.config.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            w.inputNorms.add(put(primary, ck.load(p + "input_layernorm.weight", h)));
            w.postNorms.add(put(primary, ck.load(p + "post_attention_layernorm.weight", h)));
            int qOut = w.config.numHeads() * d;
            int kvOut = w.config.numKvHeads() * d;
            HostTensor q = ck.load(p + "self_attn.q_proj.weight", qOut, h);
            HostTensor k = ck.load(p + "self_attn.k_proj.weight", kvOut, h);
            HostTensor vv = ck.load(p + "self_attn.v_proj.weight", kvOut, h);
            HostTensor o = ck.load(p + "self_attn.o_proj.weight", h, qOut);
            HostTensor bq = w.config.qkvBias() ? ck.load(p + "self_attn.q_proj.bias", qOut) : null;
            HostTensor bk = w.config.qkvBias() ? ck.load(p + "self_attn.k_proj.bias", kvOut) : null;
            HostTensor bv = w.config.qkvBias() ? ck.load(p + "self_attn.v_proj.bias", kvOut) : null;
            w.outputBiases.add(w.config.outputBias() ? put(primary, ck.load(p + "self_attn.o_proj.bias", h)) : null);
            HostTensor qn = w.config.qkNorm() ? ck.load(p + "self_attn.q_norm.weight", d) : null;
            HostTensor kn = w.config.qkNorm() ? ck.load(p + "self_attn.k_norm.weight", d) : null;
            int inter = w.config.intermediateSize();
            HostTensor gate = ck.load(p + "mlp.gate_proj.weight", inter, h);
            HostTensor up = ck.load(p + "mlp.up_proj.weight", inter, h);
            HostTensor down = ck.load(p + "mlp.down_proj.weight", h, inter);
            HostTensor bGate = w.config.mlpBias() ? ck.load(p + "mlp.gate_proj.bias", inter) : null;
            HostTensor bUp = w.config.mlpBias() ? ck.load(p + "mlp.up_proj.bias", inter) : null;
            w.downBiases.add(w.config.mlpBias() ? put(primary, ck.load(p + "mlp.down_proj.bias", h)) : null);
            List<RankLayer> ranks = new ArrayList<>();
            for (ShardPlan.RankSlice s : w.plan.slices()) {
                Device dev = w.rankDevices.get(s.rank());
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
                ranks.add(new RankLayer(s, w.config.groupSize(), d, (float) w.config.rmsNormEps(),
                        put(dev, qkv.transposed()), qkvBias == null ? null : put(dev, qkvBias),
                        put(dev, o.colSlice(q0, q1).transposed()),
                        qn == null ? null : put(dev, qn), kn == null ? null : put(dev, kn),
                        put(dev, gateUp.transposed()), gateUpBias == null ? null : put(dev, gateUpBias),
                        put(dev, down.colSlice(m0, m1).transposed())));
            }
            w.layers.add(ranks);
        }
    }

}
