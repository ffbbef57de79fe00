package dev.flashcomm.eval.lm;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.NonFiniteValuesException;
import dev.flashcomm.tp.model.DecodeSession;
import dev.flashcomm.tp.model.TransformerModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * Greedy decoding with a KV cache on the sharded model: each batch of prompts is left-padded to its longest, run
 * through one prefill, then one token per row per step until every row has stopped. Every step's all-reduces go
 * through the communicator, so a compressed format acts on the decode steps' small messages as on the prefill's.
 *
 * <p>Prompts are batched longest first (as lm-eval does), so rows of similar lengths share a batch; results come
 * back in request order. A row's tokens do not depend on its batch with exact communication (up to the last bits
 * of a batched matmul); a compressed format whose groups straddle rows (hidden size not a multiple of the group)
 * makes rows of one batch share quantization groups, as the prefill of a batch of windows does.
 *
 * <p>A prompt plus its {@code maxNewTokens} must fit {@code max_position_embeddings}: callers that want lm-eval's
 * left truncation of long contexts do it before (a silent cut here would change what a user asked for).
 */
public final class Generator {

    private final ScoringModel model;
    private final int batch;

    /** @param batch prompts decoded together, at least 1 */
    public Generator(ScoringModel model, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.model = model;
        this.batch = batch;
    }

    /**
     * Generates for every request, {@code progress} told after each batch (done and total requests).
     *
     * @throws InputException          naming the request whose prompt and new tokens exceed the model's positions
     * @throws DeviceMemoryException   when a batch and its KV cache do not fit the device
     * @throws NonFiniteValuesException when the model's log-probabilities are not finite
     */
    public List<Generation> generate(List<GenerationRequest> requests, Communicator comm, Progress progress) {
        int limit = model.maxLength();
        for (int i = 0; i < requests.size(); i++) {
            GenerationRequest r = requests.get(i);
            if ((long) r.promptLength() + r.maxNewTokens() > limit) {
                throw new InputException("prompt " + (i + 1) + ": " + r.promptLength() + " prompt tokens + "
                        + r.maxNewTokens() + " new tokens exceed the model's max_position_embeddings " + limit
                        + "; shorten the prompt or lower --max-new-tokens");
            }
        }
        Integer[] order = IntStream.range(0, requests.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -requests.get(i).promptLength()));
        Generation[] out = new Generation[requests.size()];
        for (int b0 = 0; b0 < order.length; b0 += batch) {
            List<Integer> rows = Arrays.asList(order).subList(b0, Math.min(order.length, b0 + batch));
            List<GenerationRequest> batchRequests = rows.stream().map(requests::get).toList();
            List<Generation> done = generateBatch(batchRequests, comm);
            for (int k = 0; k < rows.size(); k++) {
                out[rows.get(k)] = done.get(k);
            }
            progress.update(Math.min(order.length, b0 + batch), order.length);
        }
        return List.of(out);
    }

    private List<Generation> generateBatch(List<GenerationRequest> requests, Communicator comm) {
        int rows = requests.size();
        int longest = requests.stream().mapToInt(GenerationRequest::promptLength).max().orElseThrow();
        int maxNew = requests.stream().mapToInt(GenerationRequest::maxNewTokens).max().orElseThrow();
        int[] padding = new int[rows];
        int[] prompt = new int[rows * longest];
        for (int b = 0; b < rows; b++) {
            GenerationRequest r = requests.get(b);
            padding[b] = longest - r.promptLength();
            for (int i = 0; i < r.promptLength(); i++) {
                prompt[b * longest + padding[b] + i] = r.promptId(i); // padding slots hold token 0, never attended
            }
        }
        List<RowState> states = requests.stream().map(RowState::new).toList();
        TransformerModel tm = model.model();
        OptionalInt eos = tm.config().eosTokenId();
        // the last new token is never fed back, so the cache needs one slot less than prompt + new tokens
        int capacity = longest + maxNew - 1;
        try (NDManager batchScope = model.newBatchManager();
             DecodeSession session = tm.startDecoding(padding, Math.max(capacity, longest))) {
            NDArray ids = batchScope.create(prompt, new Shape(rows, longest));
            for (int step = 0; ; step++) {
                float[][] next;
                try (NDManager scope = batchScope.newSubManager()) {
                    ids.attach(scope);
                    NDArray hidden = session.step(ids, comm);
                    long n = hidden.getShape().get(1);
                    NDArray last = hidden.get(":, " + (n - 1) + ", :"); // only the last position is decoded
                    next = greedy(tm.logitsOf(last).logSoftmax(1));
                }
                boolean running = false;
                int[] feed = new int[rows];
                for (int b = 0; b < rows; b++) {
                    RowState s = states.get(b);
                    if (!s.finished()) {
                        s.append((int) next[0][b], next[1][b], eos);
                    }
                    running |= !s.finished();
                    feed[b] = s.lastToken();
                }
                if (!running) {
                    break;
                }
                ids = batchScope.create(feed, new Shape(rows, 1));
            }
        } catch (EngineException e) {
            throw DeviceMemoryException.translateGeneration(e, model, rows, Math.max(capacity, longest));
        }
        return states.stream().map(RowState::result).toList();
    }

    /** {argmax ids as floats, their log-probs} of {@code [B, V]} log-probabilities: one device-to-host copy each. */
    private float[][] greedy(NDArray logProbs) {
        NDArray best = logProbs.argMax(1);
        float[] values = logProbs.max(new int[] {1}).toFloatArray();
        long[] ids = best.toType(DataType.INT64, false).toLongArray();
        float[] asFloats = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            asFloats[i] = ids[i];
            if (!Float.isFinite(values[i])) {
                throw new NonFiniteValuesException("the model's log-probabilities are not finite while generating"
                        + " (row " + i + ")" + (model.model().computeType() == DataType.FLOAT16
                        ? ": the lm_head overflowed fp16; rerun with --dtype fp32" : ""));
            }
        }
        return new float[][] {asFloats, values};
    }

    /** One row's progress: its tokens so far and whether (and why) it stopped. */
    private final class RowState {
        private final GenerationRequest request;
        private final List<Integer> ids = new ArrayList<>();
        private final List<Double> logProbs = new ArrayList<>();
        private StopReason stop;

        RowState(GenerationRequest request) {
            this.request = request;
        }

        boolean finished() {
            return stop != null;
        }

        int lastToken() {
            return ids.isEmpty() ? 0 : ids.get(ids.size() - 1);
        }

        void append(int id, double logProb, OptionalInt eos) {
            ids.add(id);
            logProbs.add(logProb);
            if (request.stopAtEos() && eos.isPresent() && eos.getAsInt() == id) {
                stop = StopReason.EOS;
            } else if (!request.stopSequences().isEmpty()
                    && StopSequences.firstMatch(decoded(), request.stopSequences()) >= 0) {
                stop = StopReason.STOP_SEQUENCE;
            } else if (ids.size() >= request.maxNewTokens()) {
                stop = StopReason.MAX_NEW_TOKENS;
            }
        }

        private String decoded() {
            return model.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray());
        }

        Generation result() {
            String text = decoded();
            int cut = StopSequences.firstMatch(text, request.stopSequences());
            return new Generation(request.promptIds(), ids.stream().mapToInt(Integer::intValue).toArray(),
                    logProbs.stream().mapToDouble(Double::doubleValue).toArray(),
                    cut >= 0 ? text.substring(0, cut) : text, stop);
        }
    }
}
