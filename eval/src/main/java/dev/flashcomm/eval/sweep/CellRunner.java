package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.Metric;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.ppl.PerplexityProtocol;
import dev.flashcomm.eval.ppl.PerplexityResult;
import dev.flashcomm.eval.ppl.PerplexityRun;
import dev.flashcomm.eval.tasks.MetricValue;
import dev.flashcomm.eval.tasks.TaskResult;
import dev.flashcomm.eval.tasks.TaskScorer;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.tp.comm.TrafficMeter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Measures one cell on a loaded model and turns the measurement into result rows and per-item scores. */
final class CellRunner {

    static final String TASK_PROTOCOL = "lm-eval 0-shot";

    private final SweepConfig config;

    CellRunner(SweepConfig config) {
        this.config = config;
    }

    static String pplProtocol(int seqLen) {
        return new PerplexityProtocol(seqLen, 1).describe();
    }

    /**
     * @param lm the cell's model, loaded at the cell's TP degree
     * @throws InputException naming the workload's file when one of its items cannot be scored
     */
    CellResult measure(Cell cell, ScoringModel lm, Progress progress) {
        if (cell.workload() instanceof CorpusWorkload corpus) {
            return perplexity(cell, corpus, lm, progress);
        }
        return task(cell, (TaskWorkload) cell.workload(), lm, progress);
    }

    private CellResult perplexity(Cell cell, CorpusWorkload corpus, ScoringModel lm, Progress progress) {
        int seqLen = cell.model().seqLen();
        PerplexityProtocol protocol = new PerplexityProtocol(seqLen, config.batch());
        long start = System.nanoTime();
        PerplexityRun run = PerplexityRun.measure(protocol, lm, cell.comm(), cell.model().ids(corpus.corpus().name()),
                corpus.file().toString(), progress, false);
        double seconds = (System.nanoTime() - start) / 1e9;
        PerplexityResult r = run.result();
        ResultRow row = ResultRow.measured(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                corpus.name(), Metric.PERPLEXITY.id(), r.perplexity(), r.perplexityStderr(), r.scoredTokens(),
                run.bytesPerForward(), seconds, protocol.describe(), 1, settings("seq_len=" + seqLen, cell),
                ToolVersion.VERSION);
        double[] nll = r.windowNll();
        List<ItemScore> scores = new ArrayList<>(nll.length);
        for (int w = 0; w < nll.length; w++) {
            scores.add(new ItemScore(w, nll[w], seqLen - 1L));
        }
        return new CellResult(List.of(row), Map.of(row.cell(), scores), true);
    }

    /**
     * BYTES_PER_FORWARD of a task is what the busiest rank sent per scored sequence, averaged over the task's
     * distinct requests: sequences are scored in padded batches, so padding is counted, as it is on the wire.
     */
    private CellResult task(Cell cell, TaskWorkload task, ScoringModel lm, Progress progress) {
        TrafficMeter meter = new TrafficMeter();
        TaskScorer scorer = new TaskScorer(config.batch(), cell.model().prefixToken());
        long start = System.nanoTime();
        TaskResult result;
        try {
            result = scorer.score(task.source().spec(), task.items(), lm,
                    lm.openCommunicator(cell.comm(), meter, null), progress);
        } catch (InputException e) {
            throw new InputException(task.file() + ": " + e.getMessage());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytesPerForward = result.requests() == 0 ? 0 : meter.snapshot().maxRankBytes() / result.requests();
        String settings = settings("max_len=" + lm.maxLength(), cell);
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        for (MetricValue m : result.metrics()) {
            ResultRow row = ResultRow.measured(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                    task.name(), m.metric().id(), m.value(), m.stderr(), m.n(), bytesPerForward, seconds,
                    TASK_PROTOCOL, result.version(), settings, ToolVersion.VERSION);
            rows.add(row);
            items.put(row.cell(), result.itemScores(m.metric()));
        }
        return new CellResult(rows, items, true);
    }

    /**
     * The SETTINGS column. Perplexity rows name their window ({@code seq_len}); task rows the longest window a request
     * may fill ({@code max_len}, the model's max_position_embeddings), since {@code --seq-len} does not apply to them.
     */
    private String settings(String window, Cell cell) {
        return window + ";batch=" + config.batch() + ";limit=" + config.limit() + ";max_windows=" + config.maxWindows()
                + ";dtype=" + config.dtypeName()
                + ";device=" + config.device().strip() + ";scope=" + cell.comm().scope().describe();
    }
}
