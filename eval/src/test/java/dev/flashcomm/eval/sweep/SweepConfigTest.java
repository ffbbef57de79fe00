package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.comm.CommCast;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommImpl;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.CompressionScope;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The communication settings a sweep runs, and what a config refuses. */
class SweepConfigTest {

    private static final CorpusSource TEXT = CorpusSource.of(Path.of("t.txt"), false, "t");

    private static SweepConfig config(List<String> comms, String baseline, CommPath path, CompressionScope scope) {
        return new SweepConfig(List.of(Path.of("m")), List.of(2, 4, 2), comms.stream().map(CommFormat::parse).toList(),
                CommFormat.parse(baseline), path, scope, List.of(), List.of(TEXT), OptionalInt.empty(), 4, 0, 0, "cpu",
                DataType.FLOAT32, Shard.ALL, Path.of("out"));
    }

    @Test
    void baselineComesFirstOnceAndRepeatedValuesCountOnce() {
        SweepConfig c = config(List.of("int8", "fp16", "int4", "int8-asym-g128"), "fp16", CommPath.FAKE,
                CompressionScope.ALL);
        assertEquals(List.of("fp16", "int8-asym-g128", "int4-asym-g128"),
                c.commSettings().stream().map(CommSettings::label).toList());
        assertEquals(List.of(2, 4), c.tps());
        assertEquals(Optional.of("fp16"), c.baselineLabel());
    }

    @Test
    void scopeAndRingPathApplyToFlashFormatsOnlyAndNeverToTheBaseline() {
        CompressionScope mlp = CompressionScope.parse("mlp", "all");
        SweepConfig c = config(List.of("fp16", "bf16", "int4"), "exact", CommPath.RING, mlp);
        List<CommSettings> s = c.commSettings();
        assertEquals(List.of("exact", "fp16", "bf16[mlp@all]", "int4-asym-g128[mlp@all]"),
                s.stream().map(CommSettings::label).toList());
        assertEquals(List.of(CommPath.FAKE, CommPath.FAKE, CommPath.FAKE, CommPath.RING),
                s.stream().map(CommSettings::path).toList());
    }

    @Test
    void aRingWithNoFlashFormatToRunIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(List.of("fp16", "bf16"), "fp16", CommPath.RING, CompressionScope.ALL));
        assertEquals("--comm-path ring (the quantize-at-every-hop ablation) needs a flash format (intB-...), got fp16",
                e.getMessage());
    }

    @Test
    void presetsAndOptionsResolveOncePerChoiceAndLeaveTheBaselineAlone() {
        List<CommChoice> comms = List.of(CommChoice.parse("quickreduce-int4"), CommChoice.parse("fp8-e4m3-g256-sfp32"),
                CommChoice.parse("flashcomm2-int2"));
        SweepConfig c = new SweepConfig(List.of(Path.of("m")), List.of(2), comms, Optional.of(CommFormat.FP16),
                CommPath.PACKED, CompressionScope.ALL, Accumulation.FP16, null, null, List.of(), List.of(TEXT),
                OptionalInt.empty(), BatchSize.of(4), Limit.ALL, Limit.ALL, "cpu", DataType.FLOAT32, CommImpl.ENGINE,
                SweepConfig.DEFAULT_SEED, Shard.ALL, Path.of("out"));
        List<CommSettings> s = c.commSettings();
        assertEquals(List.of("fp16", "quickreduce-int4", "fp8-e4m3-g256-sfp32{acc=fp16}", "flashcomm2-int2{acc=fp16}"),
                s.stream().map(CommSettings::label).toList());
        assertEquals(Accumulation.FP32, s.get(0).accumulation(), "the baseline keeps the doc's defaults");
        assertEquals(CommPath.PACKED, s.get(1).path());
        assertEquals(CommCast.parse("bf16>fp16:inf"), s.get(1).cast());
    }

    @Test
    void refusesNothingToMeasureAndBadNumbers() {
        IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class,
                () -> new SweepConfig(List.of(Path.of("m")), List.of(2), List.of(), CommFormat.FP16, CommPath.FAKE,
                        CompressionScope.ALL, List.of(), List.of(), OptionalInt.empty(), 4, 0, 0, "cpu",
                        DataType.FLOAT32, Shard.ALL, Path.of("out")));
        assertEquals("nothing to measure: give --tasks and/or --ppl", nothing.getMessage());
        IllegalArgumentException tp = assertThrows(IllegalArgumentException.class,
                () -> new SweepConfig(List.of(Path.of("m")), List.of(0), List.of(), CommFormat.FP16, CommPath.FAKE,
                        CompressionScope.ALL, List.of(), List.of(TEXT), OptionalInt.empty(), 4, 0, 0, "cpu",
                        DataType.FLOAT32, Shard.ALL, Path.of("out")));
        assertEquals("--tp: give TP degrees of at least 1, got [0]", tp.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new SweepConfig(List.of(Path.of("m")), List.of(2), List.of(), CommFormat.FP16, CommPath.FAKE,
                        CompressionScope.ALL, List.of(), List.of(TEXT, TEXT), OptionalInt.empty(), 4, 0, 0, "cpu",
                        DataType.FLOAT32, Shard.ALL, Path.of("out")));
        assertEquals("perplexity corpus 't' is given twice", twice.getMessage());
    }
}
