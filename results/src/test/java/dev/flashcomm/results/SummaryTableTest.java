package dev.flashcomm.results;

import static dev.flashcomm.results.Rows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SummaryTableTest {

    @Test
    void oneLinePerCellAndOneColumnPerCommWithBaselineFirst() {
        List<ResultRow> rows = BaselineComparison.compare(List.of(
                row("m", 2, "int4-asym-g128", "piqa", "acc", 0.599),
                row("m", 2, "fp16", "piqa", "acc", 0.612),
                row("m", 2, "fp16", "ppl:wikitext2", "perplexity", 20.0),
                row("m", 2, "int4-asym-g128", "ppl:wikitext2", "perplexity", 20.5),
                row("m", 2, "exact", "ppl:wikitext2", "perplexity", 19.99)), Map.of(), "fp16");
        ResultRow significant = rows.get(0).withComparison(0.612, OptionalDouble.of(0.01), Significance.MCNEMAR);

        String table = SummaryTable.render(List.of(significant, rows.get(1), rows.get(2), rows.get(3), rows.get(4)));

        assertEquals(String.join("\n",
                "model  tp  task           metric        fp16            exact   int4-asym-g128",
                "m      2   piqa           acc          61.20                -   59.90 (-1.30)*",
                "m      2   ppl:wikitext2  perplexity  20.000  19.990 (-0.05%)  20.500 (+2.50%)",
                "accuracy in %, delta in points; perplexity delta relative; * p < 0.05 vs fp16", ""), table);
    }

    @Test
    void emptyInputSaysSo() {
        assertEquals("(no results)\n", SummaryTable.render(List.of()));
    }
}
