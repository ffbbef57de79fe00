package dev.flashcomm.tp.checkpoint;

import java.util.Set;
import java.util.TreeSet;

/**
 * The sparse mixture-of-experts MLP of a checkpoint (Qwen2-MoE, Qwen3-MoE, Mixtral), from config.json.
 *
 * @param experts         routed experts ({@code num_experts} / {@code num_local_experts})
 * @param topK            experts per token ({@code num_experts_per_tok})
 * @param expertColumns   one expert's intermediate width ({@code moe_intermediate_size}; Mixtral:
 *                        {@code intermediate_size})
 * @param renormalize     the top-k probabilities are divided by their sum ({@code norm_topk_prob}; Mixtral always)
 * @param sharedColumns   the shared expert's intermediate width, 0 when there is none (Qwen2-MoE's
 *                        {@code shared_expert_intermediate_size})
 * @param sparseStep      every {@code sparseStep}-th layer is sparse ({@code decoder_sparse_step}: layer l when
 *                        {@code (l + 1) % step == 0})
 * @param denseLayers     layers that keep the dense MLP whatever the step ({@code mlp_only_layers})
 */
public record MoeSpec(int experts, int topK, int expertColumns, boolean renormalize, int sharedColumns,
                      int sparseStep, Set<Integer> denseLayers) {

    public MoeSpec {
        if (experts < 1) {
            throw new IllegalArgumentException("the number of experts must be > 0, got " + experts);
        }
        if (topK < 1 || topK > experts) {
            throw new IllegalArgumentException("num_experts_per_tok must be between 1 and the number of experts ("
                    + experts + "), got " + topK);
        }
        if (expertColumns < 1) {
            throw new IllegalArgumentException("the experts' intermediate size must be > 0, got " + expertColumns);
        }
        if (sharedColumns < 0) {
            throw new IllegalArgumentException("shared_expert_intermediate_size must be >= 0, got " + sharedColumns);
        }
        if (sparseStep < 1) {
            throw new IllegalArgumentException("decoder_sparse_step must be > 0, got " + sparseStep);
        }
        denseLayers = Set.copyOf(new TreeSet<>(denseLayers));
    }

    /** Every layer sparse, no shared expert, renormalised top-k (Mixtral). */
    public static MoeSpec everyLayer(int experts, int topK, int expertColumns, boolean renormalize) {
        return new MoeSpec(experts, topK, expertColumns, renormalize, 0, 1, Set.of());
    }

    /** Whether layer {@code layer} has the sparse block (transformers' rule for Qwen2-MoE and Qwen3-MoE). */
    public boolean sparse(int layer) {
        return !denseLayers.contains(layer) && (layer + 1) % sparseStep == 0;
    }

    public boolean hasSharedExpert() {
        return sharedColumns > 0;
    }
}
