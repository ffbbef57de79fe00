package dev.flashcomm.results;

import static dev.flashcomm.results.Rows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultsMergeTest {

    private static final String INT4 = "int4-asym-g128";

    private static ResultRow withWallSeconds(ResultRow r, double seconds) {
        return ResultRow.measured(r.model(), r.tp(), r.comm(), r.commPath(), r.task(), r.metric(), r.value(),
                r.stderr(), r.n(), r.bytesPerForward(), seconds, r.protocol(), r.taskVersion(), "shard=2/2",
                r.toolVersion());
    }

    @Test
    void disjointPiecesAreUnitedInSortedOrder() {
        ResultRow a = row("qwen3-tiny", 2, "fp16", "piqa", "acc", 0.6);
        ResultRow b = row("llama3-tiny", 4, INT4, "piqa", "acc", 0.5);
        ResultRow c = row("llama3-tiny", 2, INT4, "ring", "piqa", "acc", 0.5);
        ResultRow d = row("llama3-tiny", 2, INT4, "fake", "piqa", "acc", 0.5);
        ResultRow e = row("llama3-tiny", 2, "fp16", "arc_easy", "acc", 0.4);
        assertEquals(List.of(e, d, c, b, a), ResultsMerge.merge(List.of(List.of(a, b), List.of(c, d, e))));
    }

    @Test
    void agreeingDuplicatesAreKeptOnceFromTheFirstPiece() {
        ResultRow first = row("m", 2, "fp16", "ppl:wikitext2", "perplexity", 23.0);
        ResultRow again = withWallSeconds(row("m", 2, "fp16", "ppl:wikitext2", "perplexity", 23.0 * (1 + 1e-9)), 99);
        ResultRow other = row("m", 2, INT4, "ppl:wikitext2", "perplexity", 23.4);
        assertEquals(List.of(first, other), ResultsMerge.merge(List.of(List.of(first), List.of(other, again))));
    }

    @Test
    void conflictingDuplicatesNameCellAndPieces() {
        ResultRow first = row("m", 2, "fp16", "piqa", "acc", 0.60);
        ResultRow conflicting = row("m", 2, "fp16", "piqa", "acc", 0.61);
        ResultsException e = assertThrows(ResultsException.class, () -> ResultsMerge.merge(
                List.of(List.of(first), List.of(), List.of(conflicting))));
        assertEquals("pieces 1 and 3 disagree on m tp=2 fp16 piqa acc (fake): VALUE 0.6 vs 0.61", e.getMessage());

        ResultRow otherProtocol = ResultRow.measured("m", 2, "fp16", "fake", "piqa", "acc", 0.60, Double.NaN, 100,
                4096, 1.5, "lm-eval 5-shot", 1, "", "0.1.0");
        e = assertThrows(ResultsException.class,
                () -> ResultsMerge.merge(List.of(List.of(first), List.of(otherProtocol))));
        assertEquals("pieces 1 and 2 disagree on m tp=2 fp16 piqa acc (fake): PROTOCOL 'lm-eval 0-shot' vs"
                + " 'lm-eval 5-shot'", e.getMessage());
    }

    @Test
    void itemPiecesMergeAndConflictsAreReported() {
        CellKey base = new CellKey("m", 2, "fp16", "piqa", "acc");
        CellKey int4 = base.withComm(INT4);
        List<ItemScore> scores = List.of(new ItemScore(0, 1, 1), new ItemScore(1, 0, 1));
        Map<CellKey, List<ItemScore>> merged = ResultsMerge.mergeItems(List.of(
                Map.of(int4, scores), Map.of(base, scores, int4, List.of(scores.get(1), scores.get(0)))));
        assertEquals(Map.of(base, scores, int4, scores), merged);
        assertEquals(List.of(base, int4), List.copyOf(merged.keySet()));

        ResultsException e = assertThrows(ResultsException.class, () -> ResultsMerge.mergeItems(List.of(
                Map.of(base, scores), Map.of(base, List.of(new ItemScore(0, 1, 1), new ItemScore(1, 1, 1))))));
        assertEquals("pieces 1 and 2 disagree on the per-item scores of m tp=2 fp16 piqa acc", e.getMessage());
    }
}
