package dev.flashcomm.eval.lm;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.comm.CommImpl;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.FormatCommunicator;
import dev.flashcomm.tp.comm.NonFiniteValuesException;
import dev.flashcomm.tp.comm.SiteErrors;
import dev.flashcomm.tp.comm.TrafficMeter;
import dev.flashcomm.tp.model.TransformerModel;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The seam between protocols and tensors: protocols hand in token sequences and get back plain Java numbers.
 * Every batch runs inside its own sub-manager, so no activation outlives the call that made it.
 */
public final class ScoringModel implements AutoCloseable {

    private final String name;
    private final TransformerModel model;
    private final ModelTokenizer tokenizer;
    private final NDManager root;
    private final CommImpl commImpl;

    /** Takes ownership of {@code model} and {@code tokenizer}: closing this closes them. Communicates in the engine. */
    public ScoringModel(String name, TransformerModel model, ModelTokenizer tokenizer) {
        this(name, model, tokenizer, CommImpl.ENGINE);
    }

    /** As {@link #ScoringModel(String, TransformerModel, ModelTokenizer)}, with where the all-reduces run. */
    public ScoringModel(String name, TransformerModel model, ModelTokenizer tokenizer, CommImpl commImpl) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.commImpl = commImpl;
        this.root = Engines.newRootManager(model.primaryDevice());
    }

    /** Where this model's all-reduces run: engine ops on the partials' devices, or the Java reference. */
    public CommImpl commImpl() {
        return commImpl;
    }

    public String name() {
        return name;
    }

    public TransformerModel model() {
        return model;
    }

    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Opens a communicator for one run under {@code settings}: the one place communicators are made, so every
     * command combines partials the same way.
     *
     * @param errors where to accumulate per-site errors, or null to skip them
     */
    public Communicator openCommunicator(CommSettings settings, TrafficMeter meter, SiteErrors errors) {
        settings.scope().requireLayersWithin(model.config().numLayers(), name);
        return new FormatCommunicator(settings, commImpl, meter, errors);
    }

    /** A manager for one batch's arrays on the primary device; the caller closes it. */
    NDManager newBatchManager() {
        return root.newSubManager();
    }

    public int maxLength() {
        return model.config().maxPositions();
    }

    /**
     * Scores a batch of sequences of any lengths (at least 2 tokens each). Shorter sequences are right-padded; a
     * causal model never lets padding influence earlier positions, so scores do not depend on batch composition.
     */
    public List<TokenScores> score(List<int[]> sequences, Communicator comm) {
        return score(sequences, comm, true);
    }

    /**
     * As {@link #score(List, Communicator)}; with {@code greedy} false the argmax over the vocabulary is skipped
     * (perplexity needs only log-probs) and every greedy flag is false.
     */
    public List<TokenScores> score(List<int[]> sequences, Communicator comm, boolean greedy) {
        int batch = sequences.size();
        int len = 0;
        for (int[] s : sequences) {
            if (s.length < 2) {
                throw new IllegalArgumentException("a scored sequence needs at least 2 tokens");
            }
            len = Math.max(len, s.length);
        }
        if ((long) batch * len > Integer.MAX_VALUE - 8) {
            // the token grid is one Java array; past 2^31 positions it cannot exist, whatever the device holds
            throw new InputException("--batch " + batch + " of " + len + "-token sequences is " + (long) batch * len
                    + " positions per forward pass, more than one pass can take (2^31); use a smaller --batch");
        }
        int[] flat = new int[batch * len];
        // targets[b, t] = token t+1; the last position has none (0 here) and its score is dropped below
        int[] next = new int[batch * len];
        for (int b = 0; b < batch; b++) {
            int[] s = sequences.get(b);
            System.arraycopy(s, 0, flat, b * len, s.length);
            System.arraycopy(s, 1, next, b * len, s.length - 1);
        }
        int rows = batch * len;
        float[] picked;
        boolean[] argmax;
        try (NDManager step = root.newSubManager()) {
            NDArray ids = step.create(flat, new Shape(batch, len));
            NDArray hidden = model.finalHidden(ids, comm).reshape(rows, model.config().hiddenSize());
            NDArray targets = step.create(next, new Shape(rows, 1)).toType(DataType.INT64, false);
            // the lm_head and log-softmax over blocks of positions: the [B, L, V] logits never exist at once
            int chunk = positionsPerChunk(model.config().vocabSize());
            NDList logProbs = new NDList();
            NDList hits = new NDList();
            for (int r0 = 0; r0 < rows; r0 += chunk) {
                String range = r0 + ":" + Math.min(rows, r0 + chunk);
                try (NDManager block = step.newSubManager()) {
                    NDArray h = hidden.get(range);
                    NDArray t = targets.get(range);
                    block.tempAttachAll(h, t);
                    NDArray lp = model.logitsOf(h).logSoftmax(1);
                    logProbs.add(block.ret(lp.gather(t, 1)));
                    if (greedy) {
                        hits.add(block.ret(lp.argMax(1).eq(t.squeeze(1))));
                    }
                }
            }
            picked = NDArrays.concat(logProbs, 0).toFloatArray(); // the one device-to-host copy of a batch
            argmax = greedy ? NDArrays.concat(hits, 0).toBooleanArray() : new boolean[rows];
        } catch (EngineException e) {
            throw DeviceMemoryException.translate(e, this, batch, len);
        }
        List<TokenScores> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int n = sequences.get(b).length - 1;
            double[] lp = new double[n];
            for (int i = 0; i < n; i++) {
                lp[i] = picked[b * len + i];
                if (!Double.isFinite(lp[i])) {
                    throw new NonFiniteValuesException("the model's log-probabilities are not finite (position " + i
                            + " of sequence " + b + ")" + (model.computeType() == DataType.FLOAT16
                            ? ": the lm_head overflowed fp16; rerun with --dtype fp32" : ""));
                }
            }
            boolean[] g = new boolean[n];
            System.arraycopy(argmax, b * len, g, 0, n);
            out.add(new TokenScores(lp, g));
        }
        return out;
    }

    /**
     * Positions whose fp32 logits and log-softmax are held at once: {@code 2^26} elements per block (256 MiB each
     * for a 128k vocabulary), at least one position.
     */
    static int positionsPerChunk(int vocab) {
        return Math.max(1, (1 << 26) / vocab);
    }

    @Override
    public void close() {
        root.close();
        model.close();
        tokenizer.close();
    }
}
