package dev.flashcomm.tp.kernels;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * libtorch operations DJL 0.36 has no binding for, reached through a TorchScript module written here (see
 * {@link TorchScriptArchive}) and compiled by libtorch at load time. Today one: fused causal attention,
 * {@code torch.scaled_dot_product_attention}, which on a GPU runs FlashAttention and never materializes the
 * {@code [B, heads, L, L]} scores (about a third of an 8B model's forward time at 2048 tokens when done as
 * matmul, mask, softmax, matmul).
 *
 * <p>Every call runs with TorchScript's graph optimizer off: the methods are single library calls, so there is
 * nothing to fuse, and the profiling executor would otherwise run the first calls differently from later ones.
 */
public final class FusedKernels implements AutoCloseable {

    static final String CLASS_NAME = "FlashcommKernels";

    /** TorchScript source; {@code enable_gqa} lets k/v carry fewer heads than q (heads a multiple of them). */
    static final String SOURCE = String.join("\n",
            "class " + CLASS_NAME + "(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  def causal_attention(self: __torch__." + CLASS_NAME + ",",
            "    q: Tensor,",
            "    k: Tensor,",
            "    v: Tensor) -> Tensor:",
            "    return torch.scaled_dot_product_attention(q, k, v, None, 0., True, scale=None, enable_gqa=True)",
            "");

    private final NDManager manager;
    private final PtSymbolBlock module;

    private FusedKernels(NDManager manager, PtSymbolBlock module) {
        this.manager = manager;
        this.module = module;
    }

    /**
     * Compiles the module under a sub-manager of {@code parent} (closed with this object).
     *
     * @throws UnsupportedOperationException when the engine is not PyTorch or libtorch cannot compile the module
     *                                       (callers fall back to unfused operations)
     */
    public static FusedKernels load(NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            if (!(m instanceof PtNDManager)) {
                throw new UnsupportedOperationException("fused kernels need the PyTorch engine, not "
                        + m.getEngine().getEngineName());
            }
            byte[] archive = TorchScriptArchive.of(CLASS_NAME, SOURCE);
            PtSymbolBlock block = JniUtils.loadModule((PtNDManager) m, new ByteArrayInputStream(archive), true,
                    false);
            return new FusedKernels(m, block);
        } catch (IOException e) {
            m.close();
            throw new UncheckedIOException(e);
        } catch (EngineException | UnsupportedOperationException e) {
            m.close();
            throw new UnsupportedOperationException("libtorch could not compile the fused kernels: "
                    + e.getMessage(), e);
        }
    }

    /**
     * {@code softmax(q·kᵀ/sqrt(d) + causal mask)·v}, with query head i using k/v head {@code i / (heads / kvHeads)}.
     *
     * @param q {@code [B, heads, L, d]}
     * @param k {@code [B, kvHeads, L, d]}, heads a multiple of kvHeads
     * @param v as k
     * @return {@code [B, heads, L, d]} in q's dtype, owned by q's manager
     */
    public NDArray causalAttention(NDArray q, NDArray k, NDArray v) {
        JniUtils.setGraphExecutorOptimize(false); // thread-local in libtorch: set on the calling thread
        try (IValue iq = IValue.from((PtNDArray) q);
             IValue ik = IValue.from((PtNDArray) k);
             IValue iv = IValue.from((PtNDArray) v);
             IValue out = IValueUtils.runMethod(module, "causal_attention", iq, ik, iv)) {
            return out.toTensor((PtNDManager) q.getManager());
        }
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
