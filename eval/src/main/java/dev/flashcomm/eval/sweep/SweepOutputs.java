package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.results.BaselineComparison;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ItemsAgreement;
import dev.flashcomm.results.ItemsCsv;
import dev.flashcomm.results.PartIdentity;
import dev.flashcomm.results.PlanIdentity;
import dev.flashcomm.results.Provenance;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.results.ResultsException;
import dev.flashcomm.results.ResultsJson;
import dev.flashcomm.results.ResultsMerge;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files a sweep leaves in its output directory: {@code results.csv}, {@code items.csv} and {@code results.json}
 * (lm-eval's results shape plus provenance) for a whole sweep, or {@code results.part-i-of-n.csv},
 * {@code items.part-i-of-n.csv} and {@code results.part-i-of-n.json} for one shard, which {@link #mergeParts} joins.
 * All are written atomically.
 */
public final class SweepOutputs {

    public static final String RESULTS = "results.csv";
    public static final String ITEMS = "items.csv";
    public static final String RESULTS_JSON = "results.json";

    /** How {@link #keepPrevious} names the files of an earlier run: their run's UTC start, to the second. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

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
     * Compares every row with its baseline and writes the results, the items and {@code results.json} beside the
     * results (same name, {@code .json}). Rows are sorted as {@link ResultsMerge} sorts them, so a sharded sweep
     * merged afterwards gives the same file as an unsharded one.
     *
     * @return the compared rows, in file order
     * @throws dev.flashcomm.results.ResultsException when a row has no baseline
     */
    public static List<ResultRow> writeCompared(Path resultsFile, Path itemsFile, Measurements m, String baselineComm,
                                                Provenance provenance) {
        return writeCompared(resultsFile, itemsFile, m, baselineComm, BaselineComparison.DEFAULT_SEED, provenance);
    }

    /** As {@link #writeCompared(Path, Path, Measurements, String, Provenance)}, with the bootstrap's seed. */
    public static List<ResultRow> writeCompared(Path resultsFile, Path itemsFile, Measurements m, String baselineComm,
                                                long seed, Provenance provenance) {
        List<ResultRow> compared = compared(m, Optional.of(baselineComm), seed);
        write(resultsFile, itemsFile, compared, m.items(), baselineComm, provenance);
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
     * Writes rows already compared with the baseline (see {@link #compared}), their items and results.json beside
     * the results (same name, {@code .json}).
     *
     * @param baselineComm the COMM the rows were compared with, or "" when they were not
     */
    public static void write(Path resultsFile, Path itemsFile, List<ResultRow> compared,
                             Map<CellKey, List<ItemScore>> items, String baselineComm, Provenance provenance) {
        ResultsCsv.write(resultsFile, compared);
        ItemsCsv.write(itemsFile, items);
        ResultsJson.write(ResultsJson.besideCsv(resultsFile), compared, items, baselineComm, provenance);
    }

    /**
     * A shard's rows, uncompared since its baselines may live in another shard, and its results.json with the
     * provenance and the part's identity (its shard, the plan's cells, the SHA-256 of both CSV parts), so
     * {@link #mergeParts} can tell a part copied over another, or a part of another sweep, from the real one.
     */
    public static void writePart(Path outDir, Shard shard, Measurements m, String baselineComm,
                                 Provenance provenance, List<String> planCells) {
        Path results = outDir.resolve(resultsPart(shard));
        Path items = outDir.resolve(itemsPart(shard));
        ResultsCsv.write(results, m.rows());
        ItemsCsv.write(items, m.items());
        PartIdentity id = new PartIdentity(shard.toString(), planCells, PartIdentity.sha256(results),
                PartIdentity.sha256(items));
        ResultsJson.writePart(ResultsJson.besideCsv(results), m.rows(), m.items(), baselineComm, provenance, id);
    }

    /**
     * The files of one run in its output directory, by stem and extension: kept together by {@link #keepPrevious},
     * since a results.csv without the generations behind it (or the reverse) cannot be checked any more.
     */
    private static final List<List<String>> RUN_FILES = List.of(List.of("results", ".csv"), List.of("items", ".csv"),
            List.of("results", ".json"), List.of("generations", ".jsonl"));

    /**
     * Keeps an earlier run's results from being replaced by a run that does not reproduce them. When
     * {@code outDir/results.csv} holds a row that {@code newRows} lacks or measured differently (a narrower or
     * changed sweep into the same directory; the wall time alone does not count), every file of that run
     * ({@code results.csv}, {@code items.csv}, {@code results.json}, {@code generations.jsonl}) is renamed to
     * {@code results.<STAMP>.csv}, {@code items.<STAMP>.csv}, {@code results.<STAMP>.json} and
     * {@code generations.<STAMP>.jsonl}, STAMP being that run's start (from its results.json, else the file's
     * modification time), followed by {@code -2}, {@code -3}, ... when an earlier kept run has that stamp: a kept file
     * is never replaced. A rerun or a superset replaces the files, as nothing is lost.
     *
     * @return the name the earlier results were kept under, when they were
     * @throws InputException naming the file when it cannot be renamed
     */
    public static Optional<Path> keepPrevious(Path outDir, List<ResultRow> newRows) {
        Path results = outDir.resolve(RESULTS);
        if (!Files.exists(results)) {
            return Optional.empty();
        }
        Set<List<Object>> reproduced = new HashSet<>();
        newRows.forEach(r -> reproduced.add(measurement(r)));
        try {
            if (ResultsCsv.read(results).stream().allMatch(r -> reproduced.contains(measurement(r)))) {
                return Optional.empty();
            }
        } catch (ResultsException unreadable) {
            // an unreadable earlier file is kept too: it is not this run's to destroy
        }
        String stamp = freeStamp(outDir, STAMP.format(previousStart(outDir, results)));
        for (List<String> file : RUN_FILES) {
            move(outDir.resolve(file.get(0) + file.get(1)), outDir.resolve(file.get(0) + "." + stamp + file.get(1)));
        }
        return Optional.of(outDir.resolve("results." + stamp + ".csv"));
    }

    /** {@code stamp}, or {@code stamp-2}, {@code stamp-3}, ...: the first under which no run's file is kept yet. */
    private static String freeStamp(Path outDir, String stamp) {
        for (int n = 1; ; n++) {
            String candidate = n == 1 ? stamp : stamp + "-" + n;
            if (RUN_FILES.stream().noneMatch(f -> Files.exists(outDir.resolve(f.get(0) + "." + candidate + f.get(1)),
                    LinkOption.NOFOLLOW_LINKS))) {
                return candidate;
            }
        }
    }

    /** Everything a row says but its wall time, which differs whenever a cell is measured again. */
    private static List<Object> measurement(ResultRow r) {
        return List.of(r.cell(), r.commPath(), r.value(), r.stderr(), r.n(), r.baseline(), r.delta(), r.relDelta(),
                r.pValue(), r.test(), r.bytesPerForward(), r.protocol(), r.taskVersion(), r.settings(),
                r.toolVersion());
    }

    private static Instant previousStart(Path outDir, Path results) {
        try {
            Optional<Provenance> p = ResultsJson.readProvenance(outDir.resolve(RESULTS_JSON));
            if (p.isPresent()) {
                return p.get().date();
            }
        } catch (ResultsException unreadable) {
            // fall back to the file's time
        }
        try {
            return Files.getLastModifiedTime(results).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    private static void move(Path from, Path to) {
        if (!Files.exists(from)) {
            return;
        }
        try {
            // no REPLACE_EXISTING: a kept file that appeared meanwhile is an error, never overwritten
            Files.move(from, to);
        } catch (IOException e) {
            throw new InputException(from + ": cannot keep the earlier results as " + to.getFileName() + ": "
                    + e.getMessage());
        }
    }

    /**
     * The provenance of every part of {@code dir} that has a {@code results.part-i-of-n.json} (parts written before
     * results.json existed have none), in part order.
     */
    public static List<Provenance> partsProvenance(Path dir) {
        List<Provenance> out = new ArrayList<>();
        TreeMap<Integer, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, "results.part-*.csv")) {
            for (Path f : list) {
                Matcher m = RESULTS_PART.matcher(f.getFileName().toString());
                if (m.matches()) {
                    files.put(Integer.parseInt(m.group(1)), f);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new InputException(dir + ": cannot list the shard parts: " + e.getMessage());
        }
        for (Path part : files.values()) {
            ResultsJson.readProvenance(ResultsJson.besideCsv(part)).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The shard part of {@code dir} whose results hold {@code cellId} (as {@link #cellOf} names it): for telling the
     * user which shard to run again; empty when none does.
     */
    public static Optional<Shard> shardHolding(Path dir, String cellId) {
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, "results.part-*.csv")) {
            for (Path f : list) {
                Matcher m = RESULTS_PART.matcher(f.getFileName().toString());
                if (m.matches() && ResultsCsv.read(f).stream().anyMatch(r -> cellOf(r).equals(cellId))) {
                    return Optional.of(new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
                }
            }
        } catch (IOException | RuntimeException e) {
            // only a hint for a message: without it the message names the cell alone
        }
        return Optional.empty();
    }

    /** A cell as {@link #planCells} names it, from its fields. */
    public static String cellOf(String model, int tp, String comm, String commPath, String task) {
        return cellId(model, tp, comm, commPath, task);
    }

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

    /**
     * A part must say it is the shard its name says, its CSV files must be the ones it wrote, and it must list the same
     * plan as the first part.
     *
     * @param byResultsHash every part's identity by the hash of the results CSV it wrote, to name a copy's origin
     */
    private static List<String> checkIdentity(Path results, Path items, Shard shard, List<String> planOrNull,
                                              Map<String, String> byResultsHash) {
        Optional<PartIdentity> found = ResultsJson.readPart(ResultsJson.besideCsv(results));
        if (found.isEmpty()) {
            return checkLegacyIdentity(results, items, shard, planOrNull);
        }
        PartIdentity id = found.get();
        String resultsHash = PartIdentity.sha256(results);
        String writer = !id.resultsSha256().equals(resultsHash) ? byResultsHash.get(resultsHash) : id.shard();
        if (writer == null) {
            throw new InputException(results + ": not the file shard " + shard + " wrote (changed since); run shard "
                    + shard + " again");
        }
        if (!writer.equals(shard.toString())) {
            throw new InputException(results + ": written by shard " + writer + ", not " + shard
                    + " (a copy of another part?); run shard " + shard + " again");
        }
        if (!id.itemsSha256().equals(PartIdentity.sha256(items))) {
            throw new InputException(items + ": not the items file shard " + shard + " wrote (a copy of another "
                    + "part?); run shard " + shard + " again");
        }
        if (planOrNull != null && !planOrNull.equals(id.planCells())) {
            throw new InputException(results + ": belongs to another sweep (its plan of " + id.planCells().size()
                    + " cells differs from the first part's " + planOrNull.size() + "); remove the stale parts");
        }
        return id.planCells();
    }

    private static final String LEGACY_SHARD = "shard ";
    private static final String LEGACY_CELL = "plan-cell ";

    /**
     * A part written before results.json held the identity: the same checks on what its {@code #} header lines say
     * (the shard, then the plan's cells), in both of its files.
     */
    private static List<String> checkLegacyIdentity(Path results, Path items, Shard shard, List<String> planOrNull) {
        List<String> plan = planOrNull;
        for (Path file : List.of(results, items)) {
            String writer = null;
            List<String> cells = new ArrayList<>();
            for (String line : ResultsCsv.legacyComments(file)) {
                String l = line.strip();
                if (l.startsWith(LEGACY_SHARD)) {
                    writer = l.substring(LEGACY_SHARD.length());
                } else if (l.startsWith(LEGACY_CELL)) {
                    cells.add(l.substring(LEGACY_CELL.length()));
                }
            }
            if (writer == null || cells.isEmpty()) {
                throw new InputException(file + ": carries no shard identity (no " + ResultsJson.besideCsv(results)
                        .getFileName() + ": written by an older flashcomm, or not by 'flashcomm sweep --shard'); run "
                        + "shard " + shard + " again");
            }
            if (!writer.equals(shard.toString())) {
                throw new InputException(file + ": written by shard " + writer + ", not " + shard
                        + " (a copy of another part?); run shard " + shard + " again");
            }
            if (plan != null && !plan.equals(cells)) {
                throw new InputException(file + ": belongs to another sweep (its plan of " + cells.size()
                        + " cells differs from the first part's " + plan.size() + "); remove the stale parts");
            }
            plan = cells;
        }
        return plan;
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
        Map<String, String> byResultsHash = new HashMap<>();
        for (int i = 1; i <= n; i++) {
            Shard shard = new Shard(i, n);
            ResultsJson.readPart(ResultsJson.besideCsv(dir.resolve(resultsPart(shard))))
                    .ifPresent(id -> byResultsHash.put(id.resultsSha256(), id.shard()));
        }
        Path firstJson = null;
        PlanIdentity first = null;
        for (int i = 1; i <= n; i++) {
            Shard shard = new Shard(i, n);
            Path results = dir.resolve(resultsPart(shard));
            Path items = dir.resolve(itemsPart(shard));
            plan = checkIdentity(results, items, shard, plan, byResultsHash);
            // the same cells are not the same plan: a shard rerun with --limit 3 or on another checkpoint lists them too
            Path json = ResultsJson.besideCsv(results);
            Optional<Provenance> provenance = ResultsJson.readProvenance(json);
            if (provenance.isPresent()) {
                PlanIdentity identity = PlanIdentity.of(provenance.get());
                if (first == null) {
                    first = identity;
                    firstJson = json;
                } else {
                    Optional<String> difference = identity.differenceFrom(first);
                    if (difference.isPresent()) {
                        throw new InputException(json + ": " + difference.get() + " as in " + firstJson.getFileName()
                                + "; the parts come from different sweep commands: run shard " + shard
                                + " again with the other parts' settings, model and data");
                    }
                }
            }
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
        List<ResultRow> rows = ResultsMerge.merge(rowPieces);
        List<Map<CellKey, List<ItemScore>>> itemPieces = new ArrayList<>();
        for (Path f : itemFiles) {
            Map<CellKey, List<ItemScore>> piece = ItemsCsv.read(f);
            // nothing ties an items file to its results file but what its scores add up to
            ItemsAgreement.requireMatches(rows, piece, "--items " + f);
            itemPieces.add(piece);
        }
        return new Measurements(rows, ResultsMerge.mergeItems(itemPieces));
    }
}
