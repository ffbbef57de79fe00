package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.TaskFormat;
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
import dev.flashcomm.tp.model.ShardPlan;
import dev.flashcomm.tp.model.TransformerModel;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.nio.file.Files;
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
            workloads.add(new CorpusWorkload(corpus, dataIdentity(corpus.file(), false)));
        }
        for (TaskSource task : config.tasks()) {
            List<TaskItem> items = TaskLoader.load(task.spec(), task.file(), config.limit());
            workloads.add(new TaskWorkload(task, items,
                    dataIdentity(task.file(), task.spec().format() == TaskFormat.PIQA)));
        }
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
            seqLens.add(seqLen(config, checkpoint.config(), dir.resolve("config.json"), notes));
        }
        List<PreparedModel> models = new ArrayList<>();
        for (int m = 0; m < checkpoints.size(); m++) {
            models.add(prepare(checkpoints.get(m), seqLens.get(m), config, corpusTexts));
        }
        if (config.tps().contains(1)) {
            notes.add("--tp 1 has no all-reduce, so every format gives the same result there");
        }
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
                ShardPlan.balanced(checkpoint.config(), tp);
            } catch (IllegalArgumentException e) {
                throw new InputException(dir.resolve("config.json") + ": " + e.getMessage());
            }
        }
        return checkpoint;
    }

    /** Tokenizes the corpora with the model's tokenizer (each must fill a window) and identifies the model. */
    private static PreparedModel prepare(Checkpoint checkpoint, int seqLen, SweepConfig config,
                                         Map<String, String> corpusTexts) {
        Path dir = checkpoint.dir();
        Map<String, int[]> ids = new HashMap<>();
        OptionalInt prefix;
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir, checkpoint.config().vocabSize())) {
            prefix = PrefixToken.of(dir, tokenizer, checkpoint.config().vocabSize());
            PerplexityProtocol protocol = new PerplexityProtocol(seqLen, config.batch());
            for (CorpusSource corpus : config.corpora()) {
                int[] tokens = tokenizer.encode(corpusTexts.get(corpus.name()));
                int windows = protocol.windows(tokens, corpus.file().toString());
                if (config.maxWindows() > 0) {
                    windows = Math.min(windows, config.maxWindows());
                }
                ids.put(corpus.name(), Arrays.copyOf(tokens, windows * seqLen));
            }
        }
        return new PreparedModel(dir, ModelLoader.modelName(dir), checkpoint.config(), ModelIdentity.of(dir), seqLen,
                prefix, ids);
    }

    private static int seqLen(SweepConfig config, ModelConfig cfg, Path configFile, List<String> notes) {
        int max = cfg.maxPositions();
        if (config.seqLen().isEmpty()) {
            if (SweepConfig.DEFAULT_SEQ_LEN > max && !config.corpora().isEmpty()) {
                notes.add("--seq-len defaults to " + max + " for " + configFile.getParent().getFileName()
                        + ", its max_position_embeddings");
            }
            return Math.min(SweepConfig.DEFAULT_SEQ_LEN, max);
        }
        int len = config.seqLen().getAsInt();
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

    /**
     * The SHA-256 of a data file and, for PIQA, of the labels file next to it, which holds half of each item.
     * The labels file name follows the original release ({@code valid.jsonl} → {@code valid-labels.lst}), as the
     * PIQA reader does.
     */
    static String dataIdentity(Path file, boolean piqaLabels) {
        MessageDigest d = Sha256.newDigest();
        hashInto(d, file);
        if (piqaLabels) {
            Path labels = piqaLabelsFile(file);
            if (Files.exists(labels)) {
                hashInto(d, labels);
            }
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

    static Path piqaLabelsFile(Path file) {
        String name = file.getFileName().toString();
        String base = name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length())
                : name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return file.resolveSibling(base + "-labels.lst");
    }
}
