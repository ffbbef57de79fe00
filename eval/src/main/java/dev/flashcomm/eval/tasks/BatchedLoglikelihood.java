package dev.flashcomm.eval.tasks;

import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.lm.TokenScores;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Scores encoded requests in batches, longest first as lm-eval's collator does: neighbours then have similar lengths,
 * so right padding wastes little, and the first batch shows at once whether the longest one fits in memory.
 * Results come back in the order of the input, whatever the batch size.
 */
public final class BatchedLoglikelihood {

    /** Longest first; equal lengths by token ids, so the batches do not depend on the order of the input. */
    private static final Comparator<EncodedRequest> LONGEST_FIRST =
            Comparator.comparingInt(EncodedRequest::length).reversed()
                    .thenComparing((a, b) -> Arrays.compare(a.window(), b.window()));

    private final int batch;

    public BatchedLoglikelihood(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        this.batch = batch;
    }

    /** One score per request, aligned with {@code requests}; progress counts requests. */
    public List<RequestScore> run(List<EncodedRequest> requests, SequenceScorer scorer, Progress progress) {
        Objects.requireNonNull(scorer, "scorer");
        Objects.requireNonNull(progress, "progress");
        Integer[] order = new Integer[requests.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing(requests::get, LONGEST_FIRST));
        RequestScore[] out = new RequestScore[order.length];
        for (int b0 = 0; b0 < order.length; b0 += batch) {
            int b1 = Math.min(order.length, b0 + batch);
            List<int[]> windows = new ArrayList<>(b1 - b0);
            for (int k = b0; k < b1; k++) {
                windows.add(requests.get(order[k]).window());
            }
            List<TokenScores> scores = scorer.score(windows);
            if (scores.size() != windows.size()) {
                throw new IllegalStateException("scorer returned " + scores.size() + " results for "
                        + windows.size() + " sequences");
            }
            for (int k = b0; k < b1; k++) {
                out[order[k]] = extract(requests.get(order[k]), scores.get(k - b0));
            }
            progress.update(b1, order.length);
        }
        return List.of(out);
    }

    private static RequestScore extract(EncodedRequest request, TokenScores scores) {
        int n = scores.length();
        if (n != request.length() - 1) {
            throw new IllegalStateException("scorer returned " + n + " positions for a window of "
                    + request.length() + " tokens");
        }
        int from = n - request.continuationLength();
        return new RequestScore(scores.sum(from, n), scores.allGreedy(from, n), request.continuationLength());
    }
}
