package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.lm.ModelLoader;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.eval.ppl.PerplexityProtocol;
import dev.flashcomm.eval.ppl.PerplexityRun;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.CommErrorsCsv;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.SiteErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The demo's diagnostics table, so that its report shows where in the model each format's error arises: per layer
 * and all-reduce site, the relative error of every format's communicated sum on the first few windows of the demo
 * text (what {@code ppl --diagnostics} measures, for all of the demo's formats in one table).
 */
final class DemoDiagnostics {

    /** Windows measured per format: the error per layer settles within a few thousand tokens. */
    static final int WINDOWS = 4;

    private DemoDiagnostics() {
    }

    /**
     * Writes {@code OUT/diagnostics.csv} unless it is there already (the demo is deterministic; delete the file to
     * measure again). Empty at TP 1, where nothing is communicated.
     */
    static Optional<Path> write(SweepConfig config, int seqLen) {
        Path file = config.out().resolve(ReportCommand.DIAGNOSTICS);
        int tp = config.tps().get(0);
        if (Files.isRegularFile(file)) {
            return Optional.of(file);
        }
        if (tp < 2 || config.corpora().isEmpty()) {
            return Optional.empty();
        }
        CorpusSource corpus = config.corpora().get(0);
        List<CommErrorRow> rows = new ArrayList<>();
        try (ScoringModel lm = ModelLoader.load(config.models().get(0), tp, Engines.parseDevices(config.device()),
                config.dtype(), config.commImpl())) {
            PerplexityProtocol protocol = new PerplexityProtocol(seqLen, Math.max(1, config.batch().fixed()));
            String source = corpus.file().toString();
            int[] ids = protocol.firstWindows(lm.tokenizer().encode(corpus.text()), WINDOWS, source);
            for (CommSettings comm : config.commSettings()) {
                PerplexityRun run = PerplexityRun.measure(protocol, lm, comm, ids, source, Progress.NONE, true);
                for (SiteErrors.Row e : run.errors()) {
                    rows.add(new CommErrorRow(lm.name(), tp, comm.label(), comm.path().name().toLowerCase(Locale.ROOT),
                            corpus.name(), e.layer(), e.site().id(), e.format(), e.elements(), e.relativeL2(),
                            e.maxAbs(), e.overflows(), CommErrorRow.load(e.expertLoad())));
                }
            }
        }
        CommErrorsCsv.write(file, rows);
        return Optional.of(file);
    }
}
