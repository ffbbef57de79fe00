package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.sweep.CellCache;
import dev.flashcomm.eval.sweep.GenerationsJsonl;
import dev.flashcomm.eval.sweep.RunFiles;
import dev.flashcomm.eval.sweep.RunProvenance;
import dev.flashcomm.eval.sweep.SampleLog;
import dev.flashcomm.eval.sweep.Sweep;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.eval.sweep.SweepOutcome;
import dev.flashcomm.eval.sweep.SweepOutputs;
import dev.flashcomm.eval.sweep.SweepPlan;
import dev.flashcomm.eval.sweep.SweepPlanner;
import dev.flashcomm.results.OutputFiles;
import dev.flashcomm.results.Provenance;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsJson;
import dev.flashcomm.results.SummaryTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;

/** Plans, runs and reports a sweep for {@code flashcomm sweep} and {@code flashcomm demo}. */
final class SweepRun {

    private final CommandLine cmd;

    SweepRun(CommandLine cmd) {
        this.cmd = cmd;
    }

    void run(SweepConfig config) {
        run(config, false);
    }

    /** @param logSamples write every task item of the cells to {@code OUT/samples/} ({@code --log-samples}) */
    void run(SweepConfig config, boolean logSamples) {
        Instant started = Instant.now();
        PrintWriter out = cmd.getOut();
        PrintWriter err = cmd.getErr();
        // before the plan reads anything: results over a corpus or a task file would destroy it at the end
        RunFiles.requireApart(RunFiles.outputsOf(config), RunFiles.inputsOf(config));
        SweepPlan plan = SweepPlanner.plan(config);
        plan.notes().forEach(n -> err.println("flashcomm: note: " + MessageLine.of(n)));
        int workloads = config.tasks().size() + config.corpora().size() + config.agreements().size();
        int owned = plan.owned().size();
        out.printf(Locale.ROOT, "sweep       %d model(s) x %d TP x %d comm x %d task/corpus = %d cells%s%n",
                plan.models().size(), config.tps().size(), config.commSettings().size(), workloads,
                plan.cells().size(), config.shard().isAll() ? "" : ", shard " + config.shard() + ": " + owned);
        out.flush();
        // a read-only --out fails now, not after the first cell has been computed and could not be cached
        SampleLog samples = logSamples ? new SampleLog(config.out()) : null;
        if (samples != null) {
            // the samples files are named by cell, so only the plan knows them: a task file among them would be
            // replaced by its own log
            RunFiles.requireApart(RunFiles.samplesOf(plan, samples), RunFiles.inputsOf(config));
        }
        OutputFiles.createDirectories(config.cacheDir(), "output directory");
        SweepOutcome outcome = new Sweep(plan, new CellCache(config.cacheDir()), Sweep.plainOpener(config),
                new SweepConsole(err, System.console() != null, config.cacheDir()), false, samples).run();
        out.printf(Locale.ROOT, "cells       %d measured, %d resumed from %s%n", outcome.computed(),
                outcome.resumed(), config.cacheDir());
        Provenance provenance = RunProvenance.of(plan, commandLine(cmd), started);
        SweepOutputs.Measurements m = new SweepOutputs.Measurements(outcome.rows(), outcome.items());
        if (config.shard().isAll()) {
            Path results = config.out().resolve(SweepOutputs.RESULTS);
            Path items = config.out().resolve(SweepOutputs.ITEMS);
            // a sweep always has a baseline: --baseline-comm defaults to fp16
            String baseline = config.baselineLabel().orElseThrow();
            List<ResultRow> compared = SweepOutputs.compared(m, Optional.of(baseline), config.seed());
            Optional<Path> kept = SweepOutputs.keepPrevious(config.out(), compared);
            SweepOutputs.write(results, items, compared, m.items(), baseline, provenance);
            Path generations = config.out().resolve(GenerationsJsonl.FILE);
            if (!outcome.generations().isEmpty()) {
                GenerationsJsonl.write(generations, GenerationsJsonl.ordered(
                        GenerationsJsonl.lines(outcome.generations()), compared, "this sweep"));
            }
            out.println();
            out.print(SummaryTable.render(compared, baseline));
            out.println();
            kept.ifPresent(k -> out.println("kept        " + k + " (the earlier results.csv: it holds cells this "
                    + "sweep did not reproduce; items, results.json and generations.jsonl alike)"));
            out.println("wrote       " + results);
            out.println("wrote       " + items);
            out.println("wrote       " + ResultsJson.besideCsv(results));
            if (!outcome.generations().isEmpty()) {
                out.println("wrote       " + generations);
            }
            if (samples != null) {
                out.println("wrote       " + config.out().resolve(SampleLog.DIR) + "/*.jsonl (one per task cell)");
            }
        } else {
            SweepOutputs.writePart(config.out(), config.shard(), m, config.baselineLabel().orElse(""), provenance,
                    SweepOutputs.planCells(plan.cells()));
            Path part = config.out().resolve(SweepOutputs.resultsPart(config.shard()));
            out.println("wrote       " + part);
            out.println("wrote       " + config.out().resolve(SweepOutputs.itemsPart(config.shard())));
            out.println("wrote       " + ResultsJson.besideCsv(part));
            if (!outcome.generations().isEmpty()) {
                Path generations = config.out().resolve(GenerationsJsonl.part(config.shard()));
                GenerationsJsonl.write(generations, GenerationsJsonl.lines(outcome.generations()));
                out.println("wrote       " + generations);
            }
            out.println("when all " + config.shard().count() + " shards are done: flashcomm merge --dir "
                    + config.out());
        }
        out.flush();
    }

    /** The command line as typed, {@code flashcomm sweep ...}, arguments with spaces or quotes single-quoted. */
    static String commandLine(CommandLine cmd) {
        StringBuilder line = new StringBuilder("flashcomm");
        for (String arg : cmd.getParseResult().originalArgs()) {
            line.append(' ').append(arg.matches("[A-Za-z0-9_./:=,@%+-]+") ? arg
                    : "'" + arg.replace("'", "'\\''") + "'");
        }
        return line.toString();
    }
}
