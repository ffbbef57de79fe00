package dev.flashcomm.eval.cli;

import com.google.gson.JsonObject;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.eval.sweep.GenerationsJsonl;
import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.SweepOutputs;
import dev.flashcomm.eval.sweep.TaskGroupAggregates;
import dev.flashcomm.results.ItemsCsv;
import dev.flashcomm.results.OutputFiles;
import dev.flashcomm.results.Provenance;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.results.ResultsJson;
import dev.flashcomm.results.SummaryTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flashcomm merge}: joins the parts of a sharded sweep and compares them with the baseline. */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Joins results.part-I-of-N.csv and items.part-I-of-N.csv of a sweep run with --shard (all N "
                + "parts must be there), compares every cell with its baseline and writes results.csv, items.csv and "
                + "results.json (which keeps each shard's provenance and sweep command line).",
                "Or joins whole results files given as arguments (ppl --out files, a sweep's results.csv) into "
                + "--out: 'flashcomm merge --out all.csv int4.csv int8.csv'."})
public final class MergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "the --out directory the shards wrote their parts to")
    Path dir;

    @Parameters(arity = "0..*", paramLabel = "FILE",
            description = "results files to join instead of --dir's parts; a cell in several files must agree")
    List<Path> files = new ArrayList<>();

    @Option(names = "--items", paramLabel = "FILE",
            description = "with FILE arguments: their per-item files (ppl --items, items.csv), for the paired tests; "
                    + "without them the rows get deltas but no p-values; repeatable")
    List<Path> itemFiles = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE",
            description = "merged results (default: DIR/results.csv; required with FILE arguments)")
    Path out;

    @Option(names = "--items-out", paramLabel = "FILE",
            description = "merged per-item scores (default: DIR/items.csv; with FILE arguments only when given)")
    Path itemsOut;

    @Option(names = "--baseline-comm", defaultValue = "fp16", paramLabel = "COMM",
            description = "COMM of the rows the others are compared with; short names as --comm takes them, e.g. "
                    + "int8 (default: ${DEFAULT-VALUE})")
    String baselineComm;

    @Mixin
    SeedOption seed;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        if ((dir == null) == files.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give either --dir DIR or results files to join");
        }
        if (dir == null) {
            return mergeFiles(stdout);
        }
        if (!itemFiles.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--items goes with FILE arguments; --dir finds the "
                    + "items parts itself");
        }
        Path results = out != null ? out : dir.resolve(SweepOutputs.RESULTS);
        Path items = itemsOut != null ? itemsOut : dir.resolve(SweepOutputs.ITEMS);
        OutputFiles.requireDistinct(Map.of("--out", results, "--items-out", items,
                "results.json", ResultsJson.besideCsv(results)));
        // MMLU's group rows need every subject, which no single shard may have held
        SweepOutputs.Measurements merged = TaskGroupAggregates.withGroups(SweepOutputs.mergeParts(dir));
        // the shards' own provenance (their sweep command lines among it) stays whole under "parts"
        Provenance provenance = Provenance.merged(ToolVersion.VERSION, SweepRun.commandLine(spec.commandLine()),
                Instant.now(), SweepOutputs.partsProvenance(dir));
        String baseline = Converters.commLabel(baselineComm);
        List<ResultRow> compared = SweepOutputs.compared(merged, Optional.of(baseline), seed.seed);
        // the agreement tasks' generations, when the shards wrote any, in results.csv's order as a sweep writes them
        List<JsonObject> generationLines = GenerationsJsonl.readParts(dir);
        // before anything is written: a lost or cut generations part would drop its shard's cells without a word
        GenerationsJsonl.shortfall(generationLines, compared).ifPresent(s -> {
            Optional<Shard> owner = SweepOutputs.shardHolding(dir, s.cell());
            String where = owner.map(o -> dir.resolve(GenerationsJsonl.part(o)) + ": holds ")
                    .orElse(dir + ": the generations parts hold ");
            throw new InputException(where + s.found() + " of the " + s.expected() + " generations of " + s.cell()
                    + " (missing or cut short); run " + owner.map(o -> "shard " + o).orElse("its shard") + " again");
        });
        List<JsonObject> orderedLines = generationLines.isEmpty() ? List.of()
                : GenerationsJsonl.ordered(generationLines, compared, dir.toString());
        // as a sweep does: an earlier results.csv holding rows this merge lacks is kept, not replaced
        Optional<Path> kept = out == null ? SweepOutputs.keepPrevious(dir, compared) : Optional.empty();
        SweepOutputs.write(results, items, compared, merged.items(), baseline, provenance);
        Path generations = dir.resolve(GenerationsJsonl.FILE);
        if (!orderedLines.isEmpty()) {
            GenerationsJsonl.write(generations, orderedLines);
        }
        stdout.print(SummaryTable.render(compared, baseline));
        stdout.println();
        kept.ifPresent(k -> stdout.println("kept        " + k + " (the earlier results.csv: it holds cells this merge "
                + "did not reproduce; items, results.json and generations.jsonl alike)"));
        stdout.println("wrote       " + results);
        stdout.println("wrote       " + items);
        stdout.println("wrote       " + ResultsJson.besideCsv(results));
        if (!generationLines.isEmpty()) {
            stdout.println("wrote       " + generations);
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    private int mergeFiles(PrintWriter stdout) {
        if (out == null) {
            throw new ParameterException(spec.commandLine(), "--out FILE is required when joining results files");
        }
        // an output over one of the files being joined would destroy it before it is read
        Map<String, Path> byOption = new LinkedHashMap<>();
        byOption.put("--out", out);
        byOption.put("--items-out", itemsOut);
        files.forEach(f -> byOption.putIfAbsent("FILE " + f, f));
        itemFiles.forEach(f -> byOption.putIfAbsent("--items " + f, f));
        byOption.putIfAbsent("results.json", ResultsJson.besideCsv(out));
        OutputFiles.requireDistinct(byOption);
        SweepOutputs.Measurements merged = SweepOutputs.mergeFiles(files, itemFiles);
        String baseline = Converters.commLabel(baselineComm);
        List<ResultRow> compared = SweepOutputs.compared(merged, Optional.of(baseline), seed.seed);
        // each joined file's own provenance (from its results.json, when it has one) stays whole under "parts"
        List<Provenance> parts = new ArrayList<>();
        files.forEach(f -> ResultsJson.readProvenance(ResultsJson.besideCsv(f)).ifPresent(parts::add));
        Provenance provenance = Provenance.merged(ToolVersion.VERSION, SweepRun.commandLine(spec.commandLine()),
                Instant.now(), parts);
        ResultsCsv.write(out, compared);
        ResultsJson.write(ResultsJson.besideCsv(out), compared, merged.items(), baseline, provenance);
        stdout.print(SummaryTable.render(compared, baseline));
        stdout.println();
        stdout.println("wrote       " + out);
        stdout.println("wrote       " + ResultsJson.besideCsv(out));
        if (itemsOut != null) {
            ItemsCsv.write(itemsOut, merged.items());
            stdout.println("wrote       " + itemsOut);
        }
        stdout.flush();
        return ExitCodes.OK;
    }
}
