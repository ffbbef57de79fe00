package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.tasks.MetricValue;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of MMLU's groups ({@code mmlu}, {@code mmlu_stem}, ...), made from their subjects' {@code acc} rows
 * wherever a cell (model, TP degree, format) has every subject of a group:
 * <ul>
 *   <li>{@code acc}: question-weighted, the pooled questions' mean (lm-eval 0.4's group {@code acc}, which weights
 *       subjects by size), its stderr that of the pooled mean;</li>
 *   <li>{@code acc_subject_mean}: subject-weighted, the plain mean of the subjects' accuracies (the original MMLU
 *       paper's average), its stderr {@code sqrt(Σ se_s²) / S}.</li>
 * </ul>
 * Both carry the pooled per-question scores (items renumbered subject after subject, in subject order), so the
 * baseline comparison pairs them question by question: the McNemar p-value of both rows tests whether the format
 * changes answers over the pooled questions. A group with a subject missing (a shard, a {@code --tasks} list that
 * names only some) gets no row rather than a mean over fewer subjects; a group that already has its rows (a shard
 * that held every subject, merged) keeps them.
 */
public final class TaskGroupAggregates {

    /** The subject-weighted mean's METRIC. */
    static final String SUBJECT_MEAN = "acc_subject_mean";

    private TaskGroupAggregates() {
    }

    /** {@code m} with the group rows it lacks and their pooled items ({@code merge} of a sharded sweep's parts). */
    public static SweepOutputs.Measurements withGroups(SweepOutputs.Measurements m) {
        List<ResultRow> rows = new ArrayList<>(m.rows());
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>(m.items());
        addTo(rows, items);
        return new SweepOutputs.Measurements(rows, items);
    }

    /** Appends the group rows it lacks and their pooled items to {@code rows} and {@code items}. */
    static void addTo(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items) {
        Map<String, Map<String, ResultRow>> byCell = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            if (r.metric().equals(Metric.ACC.id()) && r.task().startsWith("mmlu")) {
                // subjects and any group rows already there, whose presence stops a second copy
                byCell.computeIfAbsent(cellOf(r), k -> new HashMap<>()).put(r.task(), r);
            }
        }
        List<ResultRow> added = new ArrayList<>();
        for (Map<String, ResultRow> subjects : byCell.values()) {
            for (String group : TaskRegistry.groups()) {
                List<ResultRow> members = new ArrayList<>();
                for (TaskSpec s : TaskRegistry.expand(group)) {
                    ResultRow r = subjects.get(s.name());
                    if (r == null) {
                        members = null;
                        break;
                    }
                    members.add(r);
                }
                if (members != null && !subjects.containsKey(group)) {
                    added.addAll(aggregate(group, members, items));
                }
            }
        }
        rows.addAll(added);
    }

    private static String cellOf(ResultRow r) {
        return r.model() + '\u0000' + r.tp() + '\u0000' + r.comm() + '\u0000' + r.commPath() + '\u0000' + r.protocol();
    }

    private static List<ResultRow> aggregate(String group, List<ResultRow> members,
                                             Map<CellKey, List<ItemScore>> items) {
        List<ItemScore> pooled = new ArrayList<>();
        double subjectSum = 0;
        double subjectVariance = 0;
        double bytes = 0;
        double seconds = 0;
        for (ResultRow r : members) {
            List<ItemScore> scores = items.get(r.cell());
            if (scores == null) {
                throw new IllegalStateException(r.task() + ": no per-item scores to pool");
            }
            int offset = pooled.size();
            for (ItemScore s : scores) {
                pooled.add(new ItemScore(offset + s.item(), s.value(), s.weight()));
            }
            subjectSum += r.value();
            subjectVariance += Double.isNaN(r.stderr()) ? 0 : r.stderr() * r.stderr();
            bytes += (double) r.bytesPerForward() * r.n();
            seconds += r.wallSeconds();
        }
        MetricValue questions = MetricValue.aggregate(Metric.ACC,
                pooled.stream().mapToDouble(ItemScore::value).toArray());
        int subjects = members.size();
        ResultRow first = members.get(0);
        long bytesPerForward = Math.round(bytes / pooled.size());
        String settings = first.settings() + ";subjects=" + subjects;
        List<ResultRow> out = new ArrayList<>();
        out.add(row(first, group, Metric.ACC.id(), questions.value(), questions.stderr(), pooled.size(),
                bytesPerForward, seconds, settings));
        out.add(row(first, group, SUBJECT_MEAN, subjectSum / subjects, Math.sqrt(subjectVariance) / subjects,
                pooled.size(), bytesPerForward, seconds, settings));
        for (ResultRow r : out) {
            items.put(r.cell(), List.copyOf(pooled));
        }
        return out;
    }

    private static ResultRow row(ResultRow first, String group, String metric, double value, double stderr, long n,
                                 long bytesPerForward, double seconds, String settings) {
        return ResultRow.measured(first.model(), first.tp(), first.comm(), first.commPath(), group, metric, value,
                stderr, n, bytesPerForward, seconds, first.protocol(), first.taskVersion(), settings,
                first.toolVersion());
    }
}
