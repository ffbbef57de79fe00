package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.HostTensor;
import dev.flashcomm.tp.checkpoint.LayerTensor;
import dev.flashcomm.tp.checkpoint.MoeSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The loader as it was before streaming (HostTensor slices, Java-loop transposes), kept in tests only as the
 * reference the streaming loader must reproduce bit for bit. Sparse layers are cut the same way in Java: each
 * expert's (and the shared expert's) balanced column range, the router kept whole in fp32.
 */
final class HostTensorLoader {

    private final ModelWeights w;

    HostTensorLoader(ModelWeights w) {
        this.w = w;
    }

    private NDArray put(Device d, HostTensor t) {
        return put(d, t, w.computeType);
    }

    private NDArray put(Device d, HostTensor t, DataType type) {
        NDManager m = w.manager(d);
        NDArray a = m.create(t.data(), new Shape(t.shape()));
        if (type != DataType.FLOAT32) {
            NDArray c = a.toType(type, false);
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
            boolean sparse = w.config.sparseLayer(l);
            Sparse moe = sparse ? sparse(ck, l) : null;
            HostTensor gate = null;
            HostTensor up = null;
            HostTensor down = null;
            HostTensor bGate = null;
            HostTensor bUp = null;
            if (sparse) {
                w.downBiases.add(null);
                w.sparseBlocks.add(new SparseBlock(w.config.moe(), put(primary, moe.router.transposed(),
                        DataType.FLOAT32), moe.sharedGate == null ? null : put(primary, moe.sharedGate.transposed())));
            } else {
                int inter = w.config.intermediateSize();
                gate = ck.load(p + "mlp.gate_proj.weight", inter, h);
                up = ck.load(p + "mlp.up_proj.weight", inter, h);
                down = ck.load(p + "mlp.down_proj.weight", h, inter);
                bGate = w.config.mlpBias() ? ck.load(p + "mlp.gate_proj.bias", inter) : null;
                bUp = w.config.mlpBias() ? ck.load(p + "mlp.up_proj.bias", inter) : null;
                w.downBiases.add(w.config.mlpBias() ? put(primary, ck.load(p + "mlp.down_proj.bias", h)) : null);
                w.sparseBlocks.add(null);
            }
            List<RankLayer> ranks = new ArrayList<>();
            for (ShardPlan.RankSlice s : w.plan.slices()) {
                Device dev = w.rankDevices.get(s.rank());
                int q0 = s.headFrom() * d;
                int q1 = s.headTo() * d;
                int k0 = s.kvFrom() * d;
                int k1 = s.kvTo() * d;
                HostTensor qkv = HostTensor.concatRows(q.rowSlice(q0, q1), k.rowSlice(k0, k1),
                        vv.rowSlice(k0, k1));
                HostTensor qkvBias = bq == null ? null
                        : HostTensor.concatRows(bq.rowSlice(q0, q1), bk.rowSlice(k0, k1), bv.rowSlice(k0, k1));
                GatedMlp mlp = null;
                RankExperts experts = null;
                if (sparse) {
                    experts = moe.rankExperts(dev, s.rank());
                } else {
                    mlp = gatedMlp(dev, gate, up, down, bGate, bUp, s.mlpFrom(), s.mlpTo());
                }
                ranks.add(new RankLayer(s, w.config.groupSize(), d, (float) w.config.rmsNormEps(),
                        put(dev, qkv.transposed()), qkvBias == null ? null : put(dev, qkvBias),
                        put(dev, o.colSlice(q0, q1).transposed()),
                        qn == null ? null : put(dev, qn), kn == null ? null : put(dev, kn), mlp, experts));
            }
            w.layers.add(ranks);
        }
    }

    /** Columns {@code [m0, m1)} of a gated MLP: gate/up rows fused and transposed, down's columns transposed. */
    private GatedMlp gatedMlp(Device dev, HostTensor gate, HostTensor up, HostTensor down, HostTensor bGate,
                              HostTensor bUp, int m0, int m1) {
        HostTensor gateUp = HostTensor.concatRows(gate.rowSlice(m0, m1), up.rowSlice(m0, m1));
        HostTensor gateUpBias = bGate == null ? null
                : HostTensor.concatRows(bGate.rowSlice(m0, m1), bUp.rowSlice(m0, m1));
        return new GatedMlp(put(dev, gateUp.transposed()), gateUpBias == null ? null : put(dev, gateUpBias),
                put(dev, down.colSlice(m0, m1).transposed()), m1 - m0);
    }

    /** A sparse layer's full tensors, read by the names its family gives them. */
    private Sparse sparse(Checkpoint ck, int layer) {
        MoeSpec moe = w.config.moe();
        Sparse out = new Sparse(moe);
        for (LayerTensor t : w.config.family().layerTensors(w.config, layer)) {
            HostTensor value = switch (t.role()) {
                case ROUTER, EXPERT_GATE, EXPERT_UP, EXPERT_DOWN, SHARED_GATE, SHARED_UP, SHARED_DOWN,
                     SHARED_EXPERT_GATE -> ck.load(t.name(), t.shape());
                default -> null;
            };
            if (value == null) {
                continue;
            }
            switch (t.role()) {
                case ROUTER -> out.router = value;
                case EXPERT_GATE -> out.gate[t.expert()] = value;
                case EXPERT_UP -> out.up[t.expert()] = value;
                case EXPERT_DOWN -> out.down[t.expert()] = value;
                case SHARED_GATE -> out.sharedMlp[0] = value;
                case SHARED_UP -> out.sharedMlp[1] = value;
                case SHARED_DOWN -> out.sharedMlp[2] = value;
                case SHARED_EXPERT_GATE -> out.sharedGate = value;
                default -> throw new IllegalStateException(t.role().toString());
            }
        }
        return out;
    }

    /** One sparse layer's full tensors on the host. */
    private final class Sparse {
        final MoeSpec spec;
        final HostTensor[] gate;
        final HostTensor[] up;
        final HostTensor[] down;
        final HostTensor[] sharedMlp = new HostTensor[3];
        HostTensor router;
        HostTensor sharedGate;

        Sparse(MoeSpec spec) {
            this.spec = spec;
            gate = new HostTensor[spec.experts()];
            up = new HostTensor[spec.experts()];
            down = new HostTensor[spec.experts()];
        }

        /** Rank {@code rank}'s balanced column range of every expert, and of the shared expert. */
        RankExperts rankExperts(Device dev, int rank) {
            GatedMlp[] experts = new GatedMlp[spec.experts()];
            for (int e = 0; e < experts.length; e++) {
                int[] cols = w.plan.range(rank, spec.expertColumns());
                experts[e] = gatedMlp(dev, gate[e], up[e], down[e], null, null, cols[0], cols[1]);
            }
            GatedMlp shared = null;
            if (spec.hasSharedExpert()) {
                int[] cols = w.plan.range(rank, spec.sharedColumns());
                shared = gatedMlp(dev, sharedMlp[0], sharedMlp[1], sharedMlp[2], null, null, cols[0], cols[1]);
            }
            return new RankExperts(experts, shared);
        }
    }
}
