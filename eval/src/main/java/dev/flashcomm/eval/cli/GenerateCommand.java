package dev.flashcomm.eval.cli;

import com.google.gson.JsonObject;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.eval.lm.GenerationRequest;
import dev.flashcomm.eval.lm.Generator;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.lm.StopReason;
import dev.flashcomm.eval.sweep.GenerationWorkload;
import dev.flashcomm.eval.sweep.GenerationsJsonl;
import dev.flashcomm.eval.sweep.Limit;
import dev.flashcomm.eval.sweep.PreparedModel;
import dev.flashcomm.eval.sweep.PromptSource;
import dev.flashcomm.eval.sweep.RunFiles;
import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.eval.sweep.SweepPlan;
import dev.flashcomm.eval.sweep.SweepPlanner;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.TrafficMeter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flashcomm generate}: greedy continuations of a prompts file under one communication format, one JSON line
 * per prompt. The model and prompts are checked by the sweep's planner (every prompt plus its new tokens must fit
 * the model's positions) before the weights load, and the model is loaded as {@code ppl} loads it.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Continues every prompt of a file greedily (KV-cached, batched) under one communication "
                + "format and writes one JSON line per prompt: index, prompt, prompt_ids, new_ids, text, stop_reason, "
                + "logprobs.",
                "Prompts are tokenized exactly as the tokenizer does (its own BOS, nothing cut); generation stops "
                + "after --max-new-tokens, at a --stop string, or with --stop-at-eos at the model's EOS."})
public final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE",
            description = "one prompt per line (blank lines skipped; \\n is a newline, \\\\ a backslash), or JSONL "
                    + "lines {\"prompt\": ...}, detected by the first line")
    Path prompts;

    @Option(names = "--max-new-tokens", defaultValue = "64", paramLabel = "N",
            description = "tokens generated per prompt at most (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--stop", paramLabel = "STRING",
            description = "end a generation once its text contains STRING (the text is cut before it, the ids keep "
                    + "the token that completed it); repeatable")
    List<String> stops = new ArrayList<>();

    @Option(names = "--stop-at-eos", description = "end a generation at the model's eos_token_id (kept in new_ids)")
    boolean stopAtEos;

    @Option(names = "--tp", defaultValue = "2", paramLabel = "N",
            description = "tensor-parallel degree, 1 to num_attention_heads (default: ${DEFAULT-VALUE})")
    int tp;

    @Option(names = "--comm", defaultValue = "fp16", converter = Converters.Choice.class, paramLabel = "FORMAT|PRESET",
            description = "communication format or preset, as ppl takes it (default: ${DEFAULT-VALUE})")
    CommChoice comm;

    @Mixin
    CommOptions commOptions;

    @Mixin
    RunOptions run;

    @Option(names = "--out", required = true, paramLabel = "FILE.jsonl",
            description = "where the JSON lines go, written atomically")
    Path out;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (run.batch.auto()) {
            throw new ParameterException(spec.commandLine(), "--batch auto is not supported by generate; give a "
                    + "number of prompts per batch");
        }
        if (run.seqLen != null) {
            throw new ParameterException(spec.commandLine(), "--seq-len does not apply to generate (a prompt and its "
                    + "new tokens may fill max_position_embeddings)");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw new ParameterException(spec.commandLine(), "--stop: a stop string must not be empty");
        }
        RunFiles.requireApart(Map.of("--out", out), Map.of("--prompts", prompts));
        SweepPlan plan = SweepPlanner.plan(config());
        List<String> texts = ((GenerationWorkload) plan.cells().get(0).workload()).prompts();
        plan.notes().forEach(n -> err.println("flashcomm: note: " + MessageLine.of(n)));
        err.flush();
        PreparedModel prepared = plan.models().get(0);
        CommSettings settings = plan.config().commSettings().get(0);
        TrafficMeter meter = new TrafficMeter();
        List<Generation> generations;
        long start;
        try (ScoringModel lm = new ConsoleModelOpener(run, stdout, err).open(prepared, tp)) {
            List<GenerationRequest> requests = texts.stream().map(t -> new GenerationRequest(lm.tokenizer().encode(t),
                    maxNewTokens, stops, stopAtEos)).toList();
            ProgressBar bar = new ProgressBar(err, "generate", "prompts", System.console() != null);
            start = System.nanoTime();
            generations = new Generator(lm, run.batch.fixed()).generate(requests,
                    lm.openCommunicator(settings, meter, null), bar);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<JsonObject> lines = new ArrayList<>();
        for (int i = 0; i < generations.size(); i++) {
            JsonObject line = new JsonObject();
            line.addProperty("index", i);
            line.addProperty("prompt", texts.get(i));
            GenerationsJsonl.fields(line, generations.get(i));
            lines.add(line);
        }
        GenerationsJsonl.write(out, lines);
        long tokens = generations.stream().mapToLong(g -> g.newIds().length).sum();
        TrafficMeter.Traffic traffic = meter.snapshot();
        stdout.printf(Locale.ROOT, "generated   %d prompt(s), %,d new tokens in %.1f s (%.1f tokens/s), %s%n",
                generations.size(), tokens, seconds, tokens / Math.max(seconds, 1e-9), stopCounts(generations));
        stdout.printf(Locale.ROOT, "traffic     %,d bytes sent by the busiest rank (%.3f of fp16)%n",
                traffic.maxRankBytes(), traffic.ratioToFp16Ring());
        stdout.printf(Locale.ROOT, "settings    %s%n", settings.describe());
        stdout.println("wrote       " + out);
        stdout.flush();
        return ExitCodes.OK;
    }

    /** E.g. {@code stopped: 3 length, 1 stop}. */
    private static String stopCounts(List<Generation> generations) {
        List<String> parts = new ArrayList<>();
        for (StopReason reason : StopReason.values()) {
            long n = generations.stream().filter(g -> g.stopReason() == reason).count();
            if (n > 0) {
                parts.add(n + " " + reason.id());
            }
        }
        return "stopped: " + String.join(", ", parts);
    }

    /** The planner's view: this model at this TP, this format, the prompts as the one workload, no baseline. */
    private SweepConfig config() {
        Path outDir = out.toAbsolutePath().getParent() != null ? out.toAbsolutePath().getParent() : Path.of(".");
        try {
            return new SweepConfig(List.of(model.dir), List.of(tp), List.of(comm), Optional.empty(),
                    commOptions.path(), commOptions.scope(), commOptions.accumulation(), commOptions.cast(),
                    commOptions.threshold(), List.of(), List.of(), OptionalInt.empty(), run.batch, Limit.ALL,
                    Limit.ALL, run.device, run.computeType, run.commImpl, SweepConfig.DEFAULT_SEED, Shard.ALL, outDir,
                    List.of(new PromptSource(PromptSource.PREFIX + "prompts", prompts)), maxNewTokens).withExperts(commOptions.experts(run));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
