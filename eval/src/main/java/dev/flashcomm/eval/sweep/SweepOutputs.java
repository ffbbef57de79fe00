package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.results.BaselineComparison;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ItemsCsv;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.results.ResultsMerge;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files a sweep leaves in its output directory: {@code results.csv} and {@code items.csv} for a whole sweep, or
 * {@code results.part-i-of-n.csv} and {@code items.part-i-of-n.csv} for one shard, which {@link #mergeParts} joins.
 * All are written atomically.
 */
public final class SweepOutputs {

    public static final String RESULTS = "results.csv";
    public static final String ITEMS = "items.csv";

    private static final Pattern RESULTS_PART = Pattern.compile("results\\.part-(\\d+)-of-(\\d+)\\.csv");

    private SweepOutputs() {
    }

    /** Rows and per-item scores of a whole sweep or of all its shards joined. */
    public record Measurements(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items) {
        public Measurements {
            rows = List.copyOf(rows);
            items = Map.copyOf(items);
        }
    }

    /**
     * Compares every row with its baseline and writes both files. Rows are sorted as {@link ResultsMerge} sorts
     * them, so a sharded sweep merged afterwards gives the same file as an unsharded one.
     *
     * @return the compared rows, in file order
     * @throws dev.flashcomm.results.ResultsException when a row has no baseline
     */
    public static List<ResultRow> writeCompared(Path resultsFile, Path itemsFile, Measurements m, String baselineComm,
                                                List<String> comments) {
        return writeCompared(resultsFile, itemsFile, m, baselineComm, BaselineComparison.DEFAULT_SEED, comments);
    }

    /** As {@link #writeCompared(Path, Path, Measurements, String, List)}, with the bootstrap's seed. */
    public static List<ResultRow> writeCompared(Path resultsFile, Path itemsFile, Measurements m, String baselineComm,
                                                long seed, List<String> comments) {
        List<ResultRow> compared = compared(m, Optional.of(baselineComm), seed);
        ResultsCsv.write(resultsFile, compared, comments);
        ItemsCsv.write(itemsFile, m.items(), comments);
        return compared;
    }

    /**
     * The rows in file order, each compared with its baseline when there is one: how every command turns
     * measurements into the rows it writes, so a {@code ppl} file and a {@code sweep} file of one experiment agree
     * row for row.
     */
    public static List<ResultRow> compared(Measurements m, Optional<String> baselineComm, long seed) {
        List<ResultRow> sorted = ResultsMerge.merge(List.of(m.rows()));
        return baselineComm.map(b -> BaselineComparison.compare(sorted, m.items(), b, seed)).orElse(sorted);
    }

    /** A shard's rows, uncompared since its baselines may live in another shard. */
    public static void writePart(Path outDir, Shard shard, Measurements m, List<String> comments) {
        ResultsCsv.write(outDir.resolve(resultsPart(shard)), m.rows(), comments);
        ItemsCsv.write(outDir.resolve(itemsPart(shard)), m.items(), comments);
    }

    public static String resultsPart(Shard shard) {
        return "results." + shard.partName() + ".csv";
    }

    public static String itemsPart(Shard shard) {
        return "items." + shard.partName() + ".csv";
    }

    /**
     * Joins the parts of {@code dir}. Every part 1..n of one shard count n must be there, each with its items file,
     * so a lost job of the array is noticed instead of silently shrinking the results.
     *
     * @throws InputException naming the directory and what is missing or inconsistent
     */
    public static Measurements mergeParts(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InputException(dir + ": not a directory");
        }
        TreeMap<Integer, Integer> parts = new TreeMap<>();
        List<Integer> counts = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "results.part-*.csv")) {
            for (Path f : files) {
                Matcher m = RESULTS_PART.matcher(f.getFileName().toString());
                if (m.matches()) {
                    int count = Integer.parseInt(m.group(2));
                    parts.put(Integer.parseInt(m.group(1)), count);
                    if (!counts.contains(count)) {
                        counts.add(count);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new InputException(dir + ": cannot list the shard parts: " + e.getMessage());
        }
        if (parts.isEmpty()) {
            throw new InputException(dir + ": no results.part-I-of-N.csv files (written by 'flashcomm sweep --shard')");
        }
        if (counts.size() > 1) {
            counts.sort(null);
            throw new InputException(dir + ": parts of sweeps with different shard counts " + counts
                    + "; remove the stale ones");
        }
        int n = counts.get(0);
        List<List<ResultRow>> rowPieces = new ArrayList<>();
        List<Map<CellKey, List<ItemScore>>> itemPieces = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Shard shard = new Shard(i, n);
            Path results = dir.resolve(resultsPart(shard));
            Path items = dir.resolve(itemsPart(shard));
            if (!parts.containsKey(i)) {
                throw new InputException(results + ": missing; shard " + shard + " has not finished");
            }
            if (!Files.exists(items)) {
                throw new InputException(items + ": missing, but " + results.getFileName() + " is there");
            }
            rowPieces.add(ResultsCsv.read(results));
            itemPieces.add(ItemsCsv.read(items));
        }
        return new Measurements(ResultsMerge.merge(rowPieces), ResultsMerge.mergeItems(itemPieces));
    }

    /**
     * Joins whole results files, not shard parts: the {@code --out} files of several {@code ppl} runs, or a
     * {@code ppl} file and a sweep's {@code results.csv}. Their comparison columns are dropped (the merge compares
     * again); a cell in several files must agree, as between shards.
     *
     * @param itemFiles per-item files of the same runs, for the paired tests; may be empty
     * @throws InputException when no file is given
     */
    public static Measurements mergeFiles(List<Path> resultFiles, List<Path> itemFiles) {
        if (resultFiles.isEmpty()) {
            throw new InputException("merge: give --dir or results files");
        }
        List<List<ResultRow>> rowPieces = new ArrayList<>();
        for (Path f : resultFiles) {
            rowPieces.add(ResultsCsv.read(f).stream().map(ResultRow::withoutComparison).toList());
        }
        List<Map<CellKey, List<ItemScore>>> itemPieces = new ArrayList<>();
        for (Path f : itemFiles) {
            itemPieces.add(ItemsCsv.read(f));
        }
        return new Measurements(ResultsMerge.merge(rowPieces), ResultsMerge.mergeItems(itemPieces));
    }
}
