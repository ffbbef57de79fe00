package dev.flashcomm.eval.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.model.TransformerModel;
import java.util.Arrays;

/**
 * The oracle of incremental decoding: greedy decoding by re-running the full forward on the whole growing sequence
 * for every new token, one request at a time, no cache and no padding.
 */
final class FullForwardDecoder {

    /** {generated ids, their log-probs} for {@code n} greedy steps after {@code prompt}. */
    record Result(int[] ids, double[] logProbs) {
    }

    private FullForwardDecoder() {
    }

    static Result decode(TransformerModel model, int[] prompt, int n, Communicator comm) {
        int[] seq = Arrays.copyOf(prompt, prompt.length + n);
        double[] logProbs = new double[n];
        try (NDManager root = Engines.newRootManager(model.primaryDevice())) {
            for (int t = 0; t < n; t++) {
                int len = prompt.length + t;
                try (NDManager step = root.newSubManager()) {
                    NDArray ids = step.create(Arrays.copyOf(seq, len), new Shape(1, len));
                    NDArray hidden = model.finalHidden(ids, comm);
                    NDArray lp = model.logitsOf(hidden.get(":, " + (len - 1) + ", :")).logSoftmax(1);
                    seq[len] = (int) lp.argMax(1).toLongArray()[0];
                    logProbs[t] = lp.max(new int[] {1}).toFloatArray()[0];
                }
            }
        }
        return new Result(Arrays.copyOfRange(seq, prompt.length, seq.length), logProbs);
    }
}
