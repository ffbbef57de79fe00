package dev.flashcomm.eval.cli;

import dev.flashcomm.datasets.FewShotRequest;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.eval.sweep.Limit;
import dev.flashcomm.eval.sweep.PromptOptions;
import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.eval.sweep.TaskSelection;
import dev.flashcomm.eval.sweep.TaskSource;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.tp.comm.CommChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code flashcomm sweep}: the model × TP × format × task matrix, resumable and shardable. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs every model x TP degree x communication format x task/corpus cell, the baseline format "
                + "once per model and TP, and writes results.csv (compared with the baseline), items.csv and a "
                + "summary table.",
                "Finished cells are cached in OUT/cache, keyed by model and data contents, settings and tool version: "
                + "an interrupted sweep resumes where it stopped. With --shard i/n a job runs every n-th cell and "
                + "writes results.part-i-of-n.csv; 'flashcomm merge --dir OUT' joins the parts."})
public final class SweepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory; repeat for several models")
    List<Path> models;

    @Option(names = "--tp", split = ",", defaultValue = "2", paramLabel = "N",
            description = "tensor-parallel degrees (default: ${DEFAULT-VALUE})")
    List<Integer> tps;

    @Option(names = "--comm", split = ",", defaultValue = "fp16,int8,int6,int4", converter = Converters.Choice.class,
            paramLabel = "FORMAT|PRESET",
            description = "communication formats (exact, fp16, bf16, int8|int6|int4|int3|int2[-asym|-sym][-gN], "
                    + "fp8-e4m3|fp8-e5m2|fp4-e2m1[-gN][-sDTYPE], ...) or presets ('flashcomm presets'); the baseline "
                    + "is added if missing (default: ${DEFAULT-VALUE})")
    List<CommChoice> comms;

    @Option(names = "--baseline-comm", defaultValue = "fp16", converter = Converters.Format.class,
            paramLabel = "FORMAT", description = "the format others are compared with (default: ${DEFAULT-VALUE})")
    CommFormat baseline;

    @Mixin
    CommOptions commOptions;

    @Option(names = "--tasks", defaultValue = "none", paramLabel = "TASK[,TASK...]|all|none",
            description = "lm-eval tasks: piqa, arc_easy, arc_challenge, hellaswag, winogrande, lambada_openai, "
                    + "boolq, openbookqa, copa (these nine are 'all'), gsm8k, mmlu_<subject>, and the groups mmlu, "
                    + "mmlu_stem, mmlu_humanities, mmlu_social_sciences, mmlu_other (default: ${DEFAULT-VALUE})")
    String tasks;

    @Option(names = "--num-fewshot", paramLabel = "N",
            description = "examples in front of every document, as lm-eval's --num_fewshot (default: each task's "
                    + "lm-eval default: 5 for gsm8k, 0 for the others; MMLU is usually reported 5-shot)")
    Integer numFewshot;

    @Option(names = "--fewshot-seed", defaultValue = "" + FewShotRequest.DEFAULT_SEED, paramLabel = "SEED",
            description = "seed of the random few-shot sampler, as lm-eval's --fewshot_random_seed (default: "
                    + "${DEFAULT-VALUE})")
    long fewshotSeed;

    @Option(names = "--fewshot-file", paramLabel = "TASK=FILE",
            description = "draw TASK's few-shot examples from FILE instead of the data root's few-shot split "
                    + "(gsm8k/train.jsonl, mmlu/dev/SUBJECT_dev.csv); repeatable")
    List<String> fewshotFiles = new ArrayList<>();

    @Option(names = "--max-gen-toks", paramLabel = "N",
            description = "new-token cap of generation tasks (gsm8k), as lm-eval's max_gen_toks (default: the "
                    + "task's, 256)")
    Integer maxGenToks;

    @Option(names = "--data-root", paramLabel = "DIR",
            description = "directory with the task files in the shared/data layout (required with --tasks)")
    Path dataRoot;

    @Option(names = "--task-file", paramLabel = "TASK=FILE",
            description = "read TASK from FILE instead of the data root; agreement:NAME=PROMPTS adds a generation-"
                    + "agreement task over a prompts file (one per line, or JSONL {\"prompt\": ...}); repeatable")
    List<String> taskFileSpecs = new ArrayList<>();

    @Option(names = "--max-new-tokens", defaultValue = "" + SweepConfig.DEFAULT_MAX_NEW_TOKENS, paramLabel = "N",
            description = "tokens every agreement prompt is continued by, greedily (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--limit", defaultValue = "0", converter = Converters.LimitValue.class, paramLabel = "N|F",
            description = "first N items of each task, or a fraction F < 1 of them (rounded up), as lm-eval's "
                    + "--limit; 0 = all; only task cells depend on it (default: ${DEFAULT-VALUE})")
    Limit limit;

    @Option(names = "--max-windows", defaultValue = "0", converter = Converters.LimitValue.class,
            paramLabel = "N|F",
            description = "first N windows of each perplexity corpus, or a fraction F < 1 of them; 0 = all; only "
                    + "perplexity cells depend on it (default: ${DEFAULT-VALUE})")
    Limit maxWindows;

    @Option(names = "--ppl", split = ",", paramLabel = "NAME=FILE",
            description = "perplexity corpora (GPTQ protocol); .raw files get the WikiText rows rule; NAME defaults "
                    + "to the file stem")
    List<String> ppl = new ArrayList<>();

    @Mixin
    RunOptions run;

    @Mixin
    SeedOption seed;

    @Option(names = {"--out", "--output-path"}, required = true, paramLabel = "DIR",
            description = "output directory: results.csv, items.csv, results.json and cache/ (--output-path as "
                    + "lm-eval spells it)")
    Path out;

    @Option(names = "--log-samples",
            description = "also write every task item (context, continuations, per-choice log-likelihoods, "
                    + "prediction, gold) to DIR/samples/CELL.jsonl, as lm-eval's --log_samples")
    boolean logSamples;

    @Option(names = "--shard", defaultValue = "1/1", converter = ShardConverter.class, paramLabel = "I/N",
            description = "run only every N-th cell, starting with the I-th (1-based; default: ${DEFAULT-VALUE})")
    Shard shard;

    @Override
    public Integer call() {
        List<TaskSource> taskSources;
        SweepConfig config;
        Map<String, Path> taskFiles = KeyedFiles.parse("--task-file", taskFileSpecs);
        try {
            taskSources = TaskSelection.resolve(tasks, taskFiles, dataRoot, new PromptOptions(
                    numFewshot == null ? OptionalInt.empty() : OptionalInt.of(numFewshot), fewshotSeed,
                    KeyedFiles.parse("--fewshot-file", fewshotFiles),
                    maxGenToks == null ? OptionalInt.empty() : OptionalInt.of(maxGenToks)));
            config = new SweepConfig(models, tps, comms, Optional.of(baseline), commOptions.path(),
                    commOptions.scope(), commOptions.accumulation(), commOptions.cast(), commOptions.threshold(),
                    taskSources, corpora(ppl), run.seqLen(), run.batch, limit, maxWindows,
                    run.device, run.computeType, run.commImpl, seed.seed, shard, out,
                    TaskSelection.agreements(taskFiles), maxNewTokens).withExperts(commOptions.experts(run));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        new SweepRun(spec.commandLine()).run(config, logSamples);
        return ExitCodes.OK;
    }

    /** {@code NAME=FILE} or {@code FILE}, named after its stem. */
    static List<CorpusSource> corpora(List<String> specs) {
        List<CorpusSource> out = new ArrayList<>();
        for (String s : specs) {
            String t = s.strip();
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.indexOf('=');
            try {
                out.add(eq < 0 ? CorpusSource.of(Path.of(t), null, null)
                        : CorpusSource.of(Path.of(t.substring(eq + 1).strip()), null, t.substring(0, eq).strip()));
            } catch (IllegalArgumentException e) {
                throw new InputException("--ppl " + t + ": " + e.getMessage());
            }
        }
        return out;
    }

    static final class ShardConverter implements ITypeConverter<Shard> {
        @Override
        public Shard convert(String s) {
            try {
                return Shard.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
