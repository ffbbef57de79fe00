package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.PromptFile;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.datasets.TaskLoader;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.lm.ModelLoader;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.eval.ppl.PerplexityProtocol;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.model.MoeParallel;
import dev.flashcomm.tp.model.ShardPlan;
import dev.flashcomm.tp.model.TransformerModel;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Checks every input of a sweep and lays out its matrix. Everything that can be wrong with the input (model
 * directories and configs, TP degrees, window length, devices, task names and files, corpora too short for a
 * window) is found here, in seconds, before the first forward pass, not an hour into the sweep.
 */
public final class SweepPlanner {

    private SweepPlanner() {
    }

    /**
     * @throws InputException, {@code DataException} or {@code CheckpointException} with a one-line message naming
     *         the file or option at fault
     */
    public static SweepPlan plan(SweepConfig config) {
        List<String> notes = new ArrayList<>();
        try {
            Engines.parseDevices(config.device());
        } catch (IllegalArgumentException e) {
            throw new InputException("--device: " + e.getMessage());
        }
        List<Workload> workloads = new ArrayList<>();
        Map<String, String> corpusTexts = new LinkedHashMap<>();
        for (CorpusSource corpus : config.corpora()) {
            corpusTexts.put(corpus.name(), corpus.text());
            workloads.add(new CorpusWorkload(corpus, dataIdentity(List.of(corpus.file()))));
        }
        for (TaskSource task : config.tasks()) {
            Path pool = task.fewshotFile().orElse(null);
            // a fraction needs the item count, so only a whole-number limit lets the reader stop early
            List<TaskItem> all = TaskLoader.load(task.spec(), task.file(),
                    config.limit().fraction() ? 0 : (int) config.limit().value(), task.fewshot(), pool);
            List<TaskItem> items = all.subList(0, config.limit().of(all.size()));
            workloads.add(new TaskWorkload(task, items,
                    dataIdentity(TaskLoader.dataFiles(task.spec(), task.file(), pool))));
        }
        notes.addAll(FewShotNotes.of(config.tasks()));
        List<GenerationWorkload> agreements = new ArrayList<>();
        for (PromptSource source : config.agreements()) {
            List<String> prompts = PromptFile.read(source.file());
            agreements.add(new GenerationWorkload(source, prompts.subList(0, config.limit().of(prompts.size())),
                    dataIdentity(List.of(source.file()))));
        }
        workloads.addAll(agreements);
        // every model's config first: a typo in the last --model fails before the first corpus is tokenized
        Map<String, Path> byName = new HashMap<>();
        List<Checkpoint> checkpoints = new ArrayList<>();
        List<Integer> seqLens = new ArrayList<>();
        for (Path dir : config.models()) {
            String name = ModelLoader.modelName(dir);
            Path earlier = byName.putIfAbsent(name, dir);
            if (earlier != null) {
                throw new InputException("--model " + dir + ": results would not tell it from --model " + earlier
                        + " (both are named '" + name + "'); rename one directory");
            }
            Checkpoint checkpoint = checkShape(dir, config);
            checkpoints.add(checkpoint);
            seqLens.add(windowLength(config.seqLen(), checkpoint.config(), dir.resolve("config.json"),
                    !config.corpora().isEmpty(), notes));
        }
        List<PreparedModel> models = new ArrayList<>();
        for (int m = 0; m < checkpoints.size(); m++) {
            models.add(prepare(checkpoints.get(m), seqLens.get(m), config, corpusTexts, agreements));
        }
        if (config.tps().contains(1)) {
            notes.add("--tp 1 has no all-reduce, so every format gives the same result there");
        }
        notes.addAll(expertNotes(config, checkpoints));
        List<Cell> cells = new ArrayList<>();
        List<CommSettings> comms = config.commSettings();
        for (PreparedModel model : models) {
            for (int tp : config.tps()) {
                for (CommSettings comm : comms) {
                    for (Workload w : workloads) {
                        cells.add(new Cell(cells.size(), model, tp, comm, w));
                    }
                }
            }
        }
        return new SweepPlan(config, models, cells, notes);
    }

    /**
     * What the expert options do not do here, said once: {@code --moe-parallel ep} on a dense model, and the
     * expert-parallel formats without {@code --moe-parallel ep} (there are no dispatch or combine legs then; the
     * formats still label the cells, as every explicit option does).
     */
    static List<String> expertNotes(SweepConfig config, List<Checkpoint> checkpoints) {
        List<String> notes = new ArrayList<>();
        ExpertOptions e = config.experts();
        List<String> dense = checkpoints.stream().filter(c -> c.config().moe() == null)
                .map(c -> ModelLoader.modelName(c.dir())).toList();
        if (e.parallel() == MoeParallel.EP && !dense.isEmpty()) {
            notes.add("--moe-parallel ep: " + String.join(", ", dense) + (dense.size() == 1 ? " has" : " have")
                    + " no experts and run" + (dense.size() == 1 ? "s" : "") + " as usual");
        }
        if (e.parallel() != MoeParallel.EP && (e.dispatch() != null || e.combine() != null)) {
            notes.add("--dispatch-comm/--combine-comm only act with --moe-parallel ep; with tensor-parallel experts "
                    + "a sparse block ends in the --comm all-reduce");
        }
        return notes;
    }

    /**
     * Opens the checkpoint (config and safetensors headers, no weights), checks every tensor's dtype and shape against
     * the config, and every TP degree and the compression scope against the model: a broken second model fails
     * before the first model's cells run.
     */
    private static Checkpoint checkShape(Path dir, SweepConfig config) {
        Checkpoint checkpoint = Checkpoint.open(dir);
        TransformerModel.checkWeights(checkpoint);
        config.scope().requireLayersWithin(checkpoint.config().numLayers(), dir.toString());
        for (int tp : config.tps()) {
            try {
                ShardPlan.balanced(checkpoint.config(), tp, config.experts().parallel());
            } catch (IllegalArgumentException e) {
                throw new InputException(dir.resolve("config.json") + ": " + e.getMessage());
            }
        }
        return checkpoint;
    }

    /** Tokenizes the corpora with the model's tokenizer (each must fill a window) and identifies the model. */
    private static PreparedModel prepare(Checkpoint checkpoint, int seqLen, SweepConfig config,
                                         Map<String, String> corpusTexts, List<GenerationWorkload> agreements) {
        Path dir = checkpoint.dir();
        Map<String, int[]> ids = new HashMap<>();
        OptionalInt prefix;
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir, checkpoint.config().vocabSize())) {
            prefix = PrefixToken.of(checkpoint.config(), tokenizer);
            // only the window count is asked for here, and it does not depend on the batch
            PerplexityProtocol protocol = new PerplexityProtocol(seqLen, 1);
            for (CorpusSource corpus : config.corpora()) {
                int[] tokens = tokenizer.encode(corpusTexts.get(corpus.name()));
                int windows = config.maxWindows().of(protocol.windows(tokens, corpus.file().toString()));
                ids.put(corpus.name(), Arrays.copyOf(tokens, windows * seqLen));
            }
            for (TaskSource task : config.tasks()) {
                requireGenerationRoom(task, checkpoint.config().maxPositions(), dir);
            }
            for (GenerationWorkload w : agreements) {
                requireRoom(w, tokenizer, config.maxNewTokens(), checkpoint.config().maxPositions(), dir);
            }
        }
        return new PreparedModel(checkpoint, ModelLoader.modelName(dir), ModelIdentity.of(checkpoint), seqLen, prefix,
                ids);
    }

    /**
     * A generation task keeps {@code max_gen_toks} positions free for new tokens and left-truncates its prompts to the
     * rest (lm-eval's {@code max_length - max_gen_toks}), so the cap must leave room for a prompt.
     */
    private static void requireGenerationRoom(TaskSource task, int positions, Path dir) {
        if (task.spec().generation() != null && task.spec().generation().maxGenTokens() >= positions) {
            throw new InputException(task.spec().name() + ": max_gen_toks " + task.spec().generation().maxGenTokens()
                    + " leaves no room for a prompt in max_position_embeddings " + positions + " of "
                    + dir.resolve("config.json") + "; lower --max-gen-toks");
        }
    }

    /**
     * Every prompt plus {@code maxNewTokens} must fit the model's positions; the generator would refuse it only when
     * its cell runs.
     */
    private static void requireRoom(GenerationWorkload w, ModelTokenizer tokenizer, int maxNewTokens, int positions,
                                    Path dir) {
        for (int i = 0; i < w.prompts().size(); i++) {
            int length = tokenizer.encode(w.prompts().get(i)).length;
            if ((long) length + maxNewTokens > positions) {
                throw new InputException(w.file() + ": prompt " + (i + 1) + ": " + length + " tokens + "
                        + maxNewTokens + " new tokens exceed max_position_embeddings " + positions + " of "
                        + dir.resolve("config.json") + "; shorten the prompt or lower --max-new-tokens");
            }
        }
    }

    /**
     * The window length of a model: {@code requested}, or {@link SweepConfig#DEFAULT_SEQ_LEN} cut to the model's
     * {@code max_position_embeddings} and {@code sliding_window} (with a note in {@code notes} when that happens).
     * The one place the rule lives: every command that scores windows asks it.
     *
     * @param usesWindows whether anything will be cut into windows (a task-only sweep needs no note)
     * @throws InputException when {@code requested} exceeds the model's positions or its sliding window
     */
    public static int windowLength(OptionalInt requested, ModelConfig cfg, Path configFile, boolean usesWindows,
                                   List<String> notes) {
        int max = cfg.maxPositions();
        if (requested.isEmpty()) {
            if (SweepConfig.DEFAULT_SEQ_LEN > max && usesWindows) {
                notes.add("--seq-len defaults to " + max + " for " + configFile.getParent().getFileName()
                        + ", its max_position_embeddings");
            }
            int len = Math.min(SweepConfig.DEFAULT_SEQ_LEN, max);
            if (cfg.slidingWindow() > 0 && cfg.slidingWindow() < len) {
                // sliding-window attention is not implemented, so a default window never exceeds it either
                if (usesWindows) {
                    notes.add("--seq-len defaults to " + cfg.slidingWindow() + " for "
                            + configFile.getParent().getFileName() + ", its sliding_window");
                }
                return cfg.slidingWindow();
            }
            return len;
        }
        int len = requested.getAsInt();
        if (len < 2) {
            throw new InputException("--seq-len must be at least 2, got " + len);
        }
        if (len > max) {
            throw new InputException("--seq-len " + len + " exceeds max_position_embeddings " + max + " of "
                    + configFile);
        }
        if (cfg.slidingWindow() > 0 && len > cfg.slidingWindow()) {
            throw new InputException("--seq-len " + len + " exceeds the sliding_window " + cfg.slidingWindow()
                    + " of " + configFile + " (sliding-window attention is not implemented)");
        }
        return len;
    }

    /** The SHA-256 over the contents of {@code files}, in order: a workload's data identity. */
    static String dataIdentity(List<Path> files) {
        MessageDigest d = Sha256.newDigest();
        for (Path file : files) {
            hashInto(d, file);
        }
        return Sha256.hex(d);
    }

    private static void hashInto(MessageDigest d, Path file) {
        try {
            Sha256.field(d, Sha256.ofFile(file));
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage());
        }
    }
}
