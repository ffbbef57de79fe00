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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    /**
     * A shard's rows, uncompared since its baselines may live in another shard. Both files carry the shard's identity
     * and the plan's cell list as header comments, so {@link #mergeParts} can tell a part copied over another, or a
     * part of another sweep, from the real one.
     */
    public static void writePart(Path outDir, Shard shard, Measurements m, List<String> comments,
                                 List<String> planCells) {
        List<String> all = new ArrayList<>(comments);
        all.add(SHARD_PREFIX + shard);
        planCells.forEach(c -> all.add(CELL_PREFIX + c));
        ResultsCsv.write(outDir.resolve(resultsPart(shard)), m.rows(), all);
        ItemsCsv.write(outDir.resolve(itemsPart(shard)), m.items(), all);
    }

    private static final String SHARD_PREFIX = "shard ";
    private static final String CELL_PREFIX = "plan-cell ";

    private static String cellId(String model, int tp, String comm, String commPath, String task) {
        return model + " tp=" + tp + " " + comm + " " + commPath + " " + task;
    }

    /** The plan's cells as {@link #writePart} lists them, in matrix order. */
    public static List<String> planCells(List<Cell> cells) {
        return cells.stream().map(c -> cellId(c.model().name(), c.tp(), c.comm().label(), c.commPath(),
                c.workload().name())).toList();
    }

    /** The cell a row belongs to, as {@link #planCells} names it. */
    public static String cellOf(ResultRow r) {
        return cellId(r.model(), r.tp(), r.comm(), r.commPath(), r.task());
    }

    /** What a part's header says about itself: its shard and the plan's cells, in order. */
    private record PartIdentity(String shard, List<String> cells) {
        static PartIdentity of(Path file) {
            String shard = null;
            List<String> cells = new ArrayList<>();
            for (String line : ResultsCsv.headerComments(file)) {
                String l = line.strip();
                if (l.startsWith(SHARD_PREFIX)) {
                    shard = l.substring(SHARD_PREFIX.length());
                } else if (l.startsWith(CELL_PREFIX)) {
                    cells.add(l.substring(CELL_PREFIX.length()));
                }
            }
            return new PartIdentity(shard, cells);
        }
    }

    /** A part must say it is the shard its name says, and list the same plan as the first part. */
    private static List<String> checkIdentity(Path file, Shard shard, List<String> planOrNull) {
        PartIdentity id = PartIdentity.of(file);
        if (id.shard() == null || id.cells().isEmpty()) {
            throw new InputException(file + ": carries no shard identity (written by an older flashcomm, or not by "
                    + "'flashcomm sweep --shard'); run shard " + shard + " again");
        }
        if (!id.shard().equals(shard.toString())) {
            throw new InputException(file + ": written by shard " + id.shard() + ", not " + shard
                    + " (a copy of another part?); run shard " + shard + " again");
        }
        if (planOrNull != null && !planOrNull.equals(id.cells())) {
            throw new InputException(file + ": belongs to another sweep (its plan of " + id.cells().size()
                    + " cells differs from the first part's " + planOrNull.size() + "); remove the stale parts");
        }
        return id.cells();
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
        List<String> plan = null;
        List<List<ResultRow>> rowPieces = new ArrayList<>();
        List<Map<CellKey, List<ItemScore>>> itemPieces = new ArrayList<>();
        for (int i = 1; i <= n; i++) { // every part there before any is read: a missing one is the likely fault
            Shard shard = new Shard(i, n);
            Path results = dir.resolve(resultsPart(shard));
            Path items = dir.resolve(itemsPart(shard));
            if (!parts.containsKey(i)) {
                throw new InputException(results + ": missing; shard " + shard + " has not finished");
            }
            if (!Files.exists(items)) {
                throw new InputException(items + ": missing, but " + results.getFileName() + " is there");
            }
        }
        for (int i = 1; i <= n; i++) {
            Shard shard = new Shard(i, n);
            Path results = dir.resolve(resultsPart(shard));
            Path items = dir.resolve(itemsPart(shard));
            plan = checkIdentity(results, shard, plan);
            checkIdentity(items, shard, plan);
            List<ResultRow> rows = ResultsCsv.read(results);
            Set<String> present = new HashSet<>();
            rows.forEach(r -> present.add(cellOf(r)));
            for (int pos = 0; pos < plan.size(); pos++) {
                if (shard.owns(pos) && !present.contains(plan.get(pos))) {
                    throw new InputException(results + ": lacks cell " + plan.get(pos) + " that shard " + shard
                            + " owns; run shard " + shard + " again");
                }
            }
            rowPieces.add(rows);
            itemPieces.add(ItemsCsv.read(items));
        }
        List<ResultRow> merged = ResultsMerge.merge(rowPieces);
        Set<String> planned = new HashSet<>(plan);
        for (ResultRow r : merged) {
            String id = cellOf(r);
            if (!planned.contains(id)) {
                throw new InputException(dir + ": the parts hold cell " + id + ", which their plan does not list");
            }
        }
        return new Measurements(merged, ResultsMerge.mergeItems(itemPieces));
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
