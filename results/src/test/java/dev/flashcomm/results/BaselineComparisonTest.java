package dev.flashcomm.results;

import static dev.flashcomm.results.Rows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class BaselineComparisonTest {

    private static final String INT4 = "int4-asym-g128";

    /** 20 items; the baseline gets items 0..13 right; the variant loses item 13 and gains items 14..19 (b=1, c=6). */
    private static Map<CellKey, List<ItemScore>> accuracyItems(CellKey base, CellKey variant) {
        List<ItemScore> b = new ArrayList<>();
        List<ItemScore> v = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            b.add(new ItemScore(i, i < 14 ? 1 : 0, 1));
            v.add(new ItemScore(i, i < 13 || i >= 14 ? 1 : 0, 1));
        }
        Map<CellKey, List<ItemScore>> items = new HashMap<>();
        items.put(base, b);
        items.put(variant, v);
        return items;
    }

    @Test
    void fillsDeltasAndMcnemarForAccuracy() {
        ResultRow base = row("llama3-tiny", 2, "fp16", "piqa", "acc", 0.70);
        ResultRow variant = row("llama3-tiny", 2, INT4, "piqa", "acc", 0.95);
        List<ResultRow> out = BaselineComparison.compare(List.of(variant, base),
                accuracyItems(base.cell(), variant.cell()), "fp16");

        ResultRow v = out.get(0);
        assertEquals(0.70, v.baseline().getAsDouble());
        assertEquals(0.25, v.delta().getAsDouble(), 1e-15);
        assertEquals(0.25 / 0.70, v.relDelta().getAsDouble(), 1e-15);
        assertEquals(0.125, v.pValue().getAsDouble(), 1e-12);
        assertEquals(Significance.MCNEMAR, v.test());

        ResultRow b = out.get(1);
        assertEquals(0.0, b.delta().getAsDouble());
        assertEquals(0.0, b.relDelta().getAsDouble());
        assertFalse(b.pValue().isPresent());
        assertEquals("", b.test());
    }

    @Test
    void bootstrapForPerplexityAndNoTestWithoutItems() {
        ResultRow base = row("qwen3-tiny", 4, "fp16", "ppl:wikitext2", "perplexity", 20.0);
        ResultRow variant = row("qwen3-tiny", 4, INT4, "ppl:wikitext2", "perplexity", 20.5);
        ResultRow noItems = row("qwen3-tiny", 4, "int8-asym-g128", "ppl:wikitext2", "perplexity", 19.0);
        List<ItemScore> same = List.of(new ItemScore(0, 30, 10), new ItemScore(1, 29, 10));
        Map<CellKey, List<ItemScore>> items = Map.of(base.cell(), same, variant.cell(), same);

        List<ResultRow> out = BaselineComparison.compare(List.of(base, variant, noItems), items, "fp16");

        assertEquals(0.5, out.get(1).delta().getAsDouble());
        assertEquals(0.025, out.get(1).relDelta().getAsDouble(), 1e-15);
        assertEquals(1.0, out.get(1).pValue().getAsDouble());
        assertEquals(Significance.PAIRED_BOOTSTRAP, out.get(1).test());
        assertEquals(-1.0, out.get(2).delta().getAsDouble());
        assertEquals(-0.05, out.get(2).relDelta().getAsDouble(), 1e-15);
        assertEquals(OptionalDouble.empty(), out.get(2).pValue());
        assertEquals("", out.get(2).test());
    }

    @Test
    void prefersTheBaselineOfTheSameCommPath() {
        ResultRow fake = row("m", 2, "fp16", "fake", "piqa", "acc", 0.60);
        ResultRow ring = row("m", 2, "fp16", "ring", "piqa", "acc", 0.64);
        ResultRow overRing = row("m", 2, INT4, "ring", "piqa", "acc", 0.62);
        ResultRow packed = row("m", 2, INT4, "packed", "piqa", "acc", 0.62);
        List<ResultRow> out = BaselineComparison.compare(List.of(ring, fake, overRing, packed), Map.of(), "fp16");
        assertEquals(0.64, out.get(2).baseline().getAsDouble(), "same path");
        assertEquals(0.60, out.get(3).baseline().getAsDouble(), "no packed baseline: fake is the reference");
    }

    @Test
    void missingBaselineNamesTheCell() {
        ResultRow base = row("m", 2, "fp16", "piqa", "acc", 0.6);
        ResultRow orphan = row("m", 4, INT4, "piqa", "acc", 0.6);
        ResultsException e = assertThrows(ResultsException.class,
                () -> BaselineComparison.compare(List.of(base, orphan), Map.of(), "fp16"));
        assertEquals("no fp16 baseline row for m tp=4 int4-asym-g128 piqa acc (expected m tp=4 fp16 piqa acc)",
                e.getMessage());
    }

    @Test
    void unpairedOrNonBinaryItemsAreReported() {
        ResultRow base = row("m", 2, "fp16", "piqa", "acc", 0.5);
        ResultRow variant = row("m", 2, INT4, "piqa", "acc", 0.5);
        Map<CellKey, List<ItemScore>> shifted = Map.of(
                base.cell(), List.of(new ItemScore(0, 1, 1), new ItemScore(1, 0, 1)),
                variant.cell(), List.of(new ItemScore(1, 1, 1), new ItemScore(2, 0, 1)));
        ResultsException e = assertThrows(ResultsException.class,
                () -> BaselineComparison.compare(List.of(base, variant), shifted, "fp16"));
        assertTrue(e.getMessage().startsWith("per-item scores of m tp=2 int4-asym-g128 piqa acc do not pair"),
                e.getMessage());

        Map<CellKey, List<ItemScore>> fractional = Map.of(
                base.cell(), List.of(new ItemScore(0, 0.5, 1)),
                variant.cell(), List.of(new ItemScore(0, 1, 1)));
        e = assertThrows(ResultsException.class,
                () -> BaselineComparison.compare(List.of(base, variant), fractional, "fp16"));
        assertEquals("per-item scores of m tp=2 fp16 piqa acc: item 0 has value 0.5, expected 1 (correct) or 0",
                e.getMessage());
    }

    @Test
    void otherMetricsGetDeltasButNoTest() {
        ResultRow base = row("m", 1, "fp16", "lambada", "f1", 0.5);
        ResultRow variant = row("m", 1, INT4, "lambada", "f1", 0.4);
        ResultRow out = BaselineComparison.compare(List.of(base, variant), Map.of(), "fp16").get(1);
        assertEquals(-0.1, out.delta().getAsDouble(), 1e-15);
        assertEquals("", out.test());
    }
}
