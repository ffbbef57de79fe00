package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.OutputType;
import dev.flashcomm.datasets.TaskLoader;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.results.OutputFiles;
import dev.flashcomm.results.ResultsJson;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The files a run writes, checked against each other and against the files it reads before anything is measured:
 * a clash found after the run would lose the run, and an output over an input would destroy the input. {@code ppl}
 * and {@code sweep} both ask here, so the rule is one.
 */
public final class RunFiles {

    private RunFiles() {
    }

    /**
     * @param outputs the file of each output option ({@code "--out"}); options not given map to null
     * @param inputs  the file of each input, named as the user gave it
     * @throws dev.flashcomm.results.ResultsException naming both options when two name one file, or naming an
     *         output that exists and is not a regular file
     */
    public static void requireApart(Map<String, Path> outputs, Map<String, Path> inputs) {
        Map<String, Path> all = new LinkedHashMap<>(outputs);
        inputs.forEach(all::putIfAbsent);
        OutputFiles.requireDistinct(all);
        outputs.values().stream().filter(Objects::nonNull).forEach(OutputFiles::checkReplaceable);
    }

    /** What a sweep of {@code config} reads: its corpora and every task's data files. */
    public static Map<String, Path> inputsOf(SweepConfig config) {
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (CorpusSource corpus : config.corpora()) {
            inputs.putIfAbsent("--ppl " + corpus.name(), corpus.file());
        }
        for (TaskSource task : config.tasks()) {
            for (Path file : TaskLoader.dataFiles(task.spec(), task.file(), task.fewshotFile().orElse(null))) {
                inputs.putIfAbsent("the " + task.spec().name() + " data", file);
            }
        }
        for (PromptSource prompts : config.agreements()) {
            inputs.putIfAbsent("--task-file " + prompts.name(), prompts.file());
        }
        return inputs;
    }

    /**
     * The samples files {@code --log-samples} writes for the task cells this shard owns, by the file's name under
     * {@code OUT}: known once the plan names the cells, and checked then, before the first cell.
     */
    public static Map<String, Path> samplesOf(SweepPlan plan, SampleLog log) {
        Map<String, Path> outputs = new LinkedHashMap<>();
        for (Cell cell : plan.owned()) {
            if (cell.workload() instanceof TaskWorkload) {
                Path file = log.file(cell);
                outputs.put("--log-samples " + SampleLog.DIR + "/" + file.getFileName(), file);
            }
        }
        return outputs;
    }

    /** Whether the sweep writes generations: agreement tasks and generation tasks (gsm8k) alike. */
    private static boolean generates(SweepConfig config) {
        return !config.agreements().isEmpty()
                || config.tasks().stream().anyMatch(t -> t.spec().type() == OutputType.GENERATE_UNTIL);
    }

    /** What a sweep of {@code config} writes besides its cache: results and items, or this shard's parts. */
    public static Map<String, Path> outputsOf(SweepConfig config) {
        Map<String, Path> outputs = new LinkedHashMap<>();
        if (config.shard().isAll()) {
            outputs.put("--out " + SweepOutputs.RESULTS, config.out().resolve(SweepOutputs.RESULTS));
            outputs.put("--out " + SweepOutputs.ITEMS, config.out().resolve(SweepOutputs.ITEMS));
            outputs.put("--out " + SweepOutputs.RESULTS_JSON, config.out().resolve(SweepOutputs.RESULTS_JSON));
            if (generates(config)) {
                outputs.put("--out " + GenerationsJsonl.FILE, config.out().resolve(GenerationsJsonl.FILE));
            }
        } else {
            outputs.put("--out " + SweepOutputs.resultsPart(config.shard()),
                    config.out().resolve(SweepOutputs.resultsPart(config.shard())));
            outputs.put("--out " + SweepOutputs.itemsPart(config.shard()),
                    config.out().resolve(SweepOutputs.itemsPart(config.shard())));
            Path json = ResultsJson.besideCsv(config.out().resolve(SweepOutputs.resultsPart(config.shard())));
            outputs.put("--out " + json.getFileName(), json);
            if (generates(config)) {
                String part = GenerationsJsonl.part(config.shard());
                outputs.put("--out " + part, config.out().resolve(part));
            }
        }
        return outputs;
    }
}
