package dev.flashcomm.eval.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A tokenizer small enough to check by hand: greedy longest match over a few pieces, any other character its own
 * code point as id, and optionally a BOS (id 0) in front, like a Llama tokenizer with special tokens on.
 */
final class FakeTokenizer implements Function<String, int[]> {

    static final int BOS = 0;

    private final Map<String, Integer> pieces;
    private final boolean bos;
    private int calls;

    FakeTokenizer(Map<String, Integer> pieces, boolean bos) {
        this.pieces = Map.copyOf(pieces);
        this.bos = bos;
    }

    /** Characters only: id = code point. */
    static FakeTokenizer chars(boolean bos) {
        return new FakeTokenizer(Map.of(), bos);
    }

    int calls() {
        return calls;
    }

    @Override
    public int[] apply(String s) {
        calls++;
        List<Integer> ids = new ArrayList<>();
        if (bos) {
            ids.add(BOS);
        }
        int i = 0;
        while (i < s.length()) {
            String best = null;
            for (String p : pieces.keySet()) {
                if (s.startsWith(p, i) && (best == null || p.length() > best.length())) {
                    best = p;
                }
            }
            if (best != null) {
                ids.add(pieces.get(best));
                i += best.length();
            } else {
                ids.add(s.codePointAt(i));
                i += Character.charCount(s.codePointAt(i));
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
