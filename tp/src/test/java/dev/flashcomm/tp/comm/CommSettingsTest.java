package dev.flashcomm.tp.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Presets, casts, thresholds and the one place that turns settings into COMM and SETTINGS text. */
class CommSettingsTest {

    private static CommSettings resolve(String comm, Accumulation acc, CommCast cast, CompressThreshold t) {
        return CommSettings.resolve(CommChoice.parse(comm), CommPath.FAKE, CompressionScope.ALL, acc, cast, t);
    }

    @Test
    void presetsResolveToTheirBundle() {
        CommSettings qr = resolve("quickreduce-int4", null, null, null);
        assertEquals(CommFormat.parse("int4-sym-g32"), qr.format());
        assertEquals(Accumulation.FP16, qr.accumulation());
        assertEquals(CommCast.parse("bf16>fp16:inf"), qr.cast());
        assertEquals("quickreduce-int4", qr.label());
        assertEquals("preset=quickreduce-int4;format=int4-sym-g32;acc=fp16;cast=bf16>fp16:inf;"
                + "min_bytes=tp2:1048576,tp4:2097152,tp8:2097152;fallback=bf16;scope=all@all", qr.describe());
        assertEquals(CommFormat.parse("int6:6-sym-g32"), resolve("quickreduce-int6", null, null, null).format());
        assertEquals(16L * 1024 * 1024, resolve("quickreduce-int8", null, null, null).threshold().byTp().get(4));
        assertEquals("fp8-e4m3-g496-sfp32", resolve("trtllm-fp8", null, null, null).format().name());
        assertEquals("fp8-e4m3-g256-sfp32", resolve("flashinfer-fp8", null, null, null).format().name());
        assertEquals(Accumulation.FP32, resolve("flashinfer-fp8", null, null, null).accumulation());
        assertEquals("int2-asym-g128-spike", resolve("flashcomm2-int2", null, null, null).format().name());
        assertEquals("int6-asym-g128", resolve("flashcomm-int6", null, null, null).format().name());
        CommSettings deepep = resolve("deepep-ll", null, null, null);
        // DeepEP's low-latency mode: fp8 dispatch with one fp32 scale per 128 channels, bf16 combine, bf16 all-reduces
        assertEquals("fp8-e4m3-g128-sfp32", deepep.dispatch().name());
        assertEquals(CommFormat.BF16, deepep.combine());
        assertEquals(CommFormat.BF16, deepep.format());
        assertEquals("deepep-ll", deepep.label());
        assertEquals("preset=deepep-ll;format=bf16;acc=fp32;cast=bf16;min_bytes=0;fallback=bf16;scope=all@all;"
                + "dispatch=fp8-e4m3-g128-sfp32;combine=bf16", deepep.describe());
        assertEquals(10, CommPresets.all().size(), "nine all-reduce presets and deepep-ll");
        for (CommPreset p : CommPresets.all()) {
            assertFalse(p.source().isBlank(), p.name() + " names its source");
        }
    }

    @Test
    void explicitOptionsOverrideAPresetAndShowInTheLabel() {
        CommSettings s = resolve("QuickReduce-INT4", Accumulation.FP32, null, CompressThreshold.NONE);
        assertEquals("quickreduce-int4{acc=fp32,min_bytes=0}", s.label());
        assertEquals(CommCast.parse("bf16>fp16:inf"), s.cast());
        // options equal to the preset's are no change
        assertEquals("quickreduce-int4", resolve("quickreduce-int4", Accumulation.FP16, null, null).label());
        CommSettings plain = resolve("int4", Accumulation.BF16, CommCast.parse("bf16"), CompressThreshold.atLeast(4096));
        assertEquals("int4-asym-g128{acc=bf16,cast=bf16,min_bytes=4096}", plain.label());
        assertNull(plain.preset());
        assertEquals("format=int4-asym-g128;acc=bf16;cast=bf16;min_bytes=4096;fallback=bf16;scope=all@all",
                plain.describe());
        assertEquals("int4-asym-g128", resolve("int4", null, null, null).label());
        CommSettings scoped = CommSettings.resolve(CommChoice.parse("trtllm-fp8"), CommPath.PACKED,
                new CompressionScope(EnumSet.of(Site.MLP), null), null, null, null);
        assertEquals("trtllm-fp8[mlp@all]", scoped.label());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CommChoice.parse("quickreduce-int5")).getMessage()
                .contains("or a preset: quickreduce-int8"));
    }

    /**
     * A dispatch or combine leg is quantized once, so a format whose two all-reduce phases differ in width (int6: 4
     * bits, then 8) has no meaning there: refused with one line naming the option, whether it is spelled int6 or
     * int4:8. One width in both phases (int6:6, int8) is fine.
     */
    @Test
    void expertLegsRefuseTwoWidthFormatsWithOneLine() {
        SettingsException dispatch = assertThrows(SettingsException.class, () -> legs("int6", null));
        assertTrue(dispatch.getMessage().startsWith("--dispatch-comm int6-asym-g128: "), dispatch.getMessage());
        assertFalse(dispatch.getMessage().contains("\n"), "one line: " + dispatch.getMessage());
        SettingsException combine = assertThrows(SettingsException.class, () -> legs(null, "int4:8-sym-g32"));
        assertTrue(combine.getMessage().startsWith("--combine-comm int6-sym-g32: "), combine.getMessage());
        assertFalse(combine.getMessage().contains("\n"), "one line: " + combine.getMessage());
        // the record's own constructor checks too, so no other path builds such settings
        assertThrows(SettingsException.class, () -> new CommSettings(CommFormat.BF16, CommPath.FAKE,
                CompressionScope.ALL, Accumulation.FP32, CommCast.NONE, CompressThreshold.NONE, null,
                CommFormat.parse("int6"), null));
        assertEquals("int6:6-asym-g128", legs("int6:6", "int8").dispatch().name());
        assertEquals("int8-asym-g128", legs("int6:6", "int8").combine().name());
        CommSettings plain = legs(null, null);
        assertEquals(CommFormat.BF16, plain.dispatch(), "the default leg format");
        assertEquals(CommFormat.BF16, plain.combine());
        assertEquals("format=fp16;acc=fp32;cast=none;min_bytes=0;fallback=fp16;scope=all@all", plain.describe(),
                "bf16 legs leave a dense run's SETTINGS text as it was");
        CommSettings fp8 = legs("fp8-e4m3-g128-se8m0", null);
        assertEquals("fp16{dispatch=fp8-e4m3-g128-se8m0}", fp8.label());
        assertTrue(fp8.describe().endsWith(";dispatch=fp8-e4m3-g128-se8m0;combine=bf16"), fp8.describe());
    }

    @Test
    void legFormatFollowsTheScope() {
        CommSettings s = CommSettings.resolve(CommChoice.parse("deepep-ll"), CommPath.FAKE,
                CompressionScope.parse("dispatch", "0-1"), null, null, null);
        assertEquals("fp8-e4m3-g128-sfp32", s.legFormat(0, Site.DISPATCH).name());
        assertEquals(CommFormat.BF16, s.legFormat(2, Site.DISPATCH), "layer 2 is outside --compress-layers");
        CommSettings both = CommSettings.resolve(CommChoice.parse("fp16"), CommPath.FAKE,
                CompressionScope.parse("dispatch", "all"), null, null, null, CommFormat.parse("int8"),
                CommFormat.parse("int4"));
        assertEquals("int8-asym-g128", both.legFormat(3, Site.DISPATCH).name());
        assertEquals(CommFormat.BF16, both.legFormat(3, Site.COMBINE), "combine is outside --compress-sites");
        assertEquals("dispatch@all", both.scope().describe());
        assertEquals("all@all", CompressionScope.parse("attn,mlp,dispatch,combine", "all").describe(),
                "every site named is all");
        assertEquals("attn+mlp@all", CompressionScope.parse("attn,mlp", "all").describe(),
                "the two all-reduces alone leave the legs in bf16: not all");
    }

    private static CommSettings legs(String dispatch, String combine) {
        return CommSettings.resolve(CommChoice.parse("fp16"), CommPath.FAKE, CompressionScope.ALL, null, null, null,
                dispatch == null ? null : CommFormat.parse(dispatch), combine == null ? null : CommFormat.parse(combine));
    }

    @Test
    void castsParseAndLabel() {
        assertEquals(CommCast.NONE, CommCast.parse("none"));
        assertEquals("bf16", CommCast.parse("BF16").label());
        assertEquals("fp16:saturate", CommCast.parse("fp16").label());
        assertEquals("fp16:inf", CommCast.parse("fp16:inf").label());
        assertEquals("bf16>fp16:saturate", CommCast.parse("bf16>fp16").label());
        assertEquals(CommCast.Overflow.INF, CommCast.parse("bf16>fp16:inf").overflow());
        assertTrue(CommCast.parse("bf16>fp16").convertsToFp16());
        assertFalse(CommCast.parse("bf16").convertsToFp16());
        for (String bad : new String[] {"fp8", "bf16:inf", "fp16:wrap", "", "none:inf"}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> CommCast.parse(bad)).getMessage()
                    .contains("accepted: none, bf16"), bad);
        }
        assertEquals(CommFormat.BF16, resolve("int8", null, CommCast.parse("bf16"), null).fallbackFormat());
        assertEquals(CommFormat.parse("fp16"), resolve("int8", null, CommCast.parse("fp16"), null).fallbackFormat());
    }

    @Test
    void thresholdEdgesAreOneByteApart() {
        // 512 elements are a 1024-byte 16-bit message
        assertTrue(CompressThreshold.atLeast(1023).compresses(2, 512));
        assertTrue(CompressThreshold.atLeast(1024).compresses(2, 512));
        assertFalse(CompressThreshold.atLeast(1025).compresses(2, 512));
        assertTrue(CompressThreshold.NONE.compresses(8, 1));
        CompressThreshold qr = CompressThreshold.perTp(Map.of(2, 1024L * 1024, 4, 2048L * 1024));
        assertTrue(qr.compresses(2, 512 * 1024));
        assertFalse(qr.compresses(2, 512 * 1024 - 1));
        assertFalse(qr.compresses(4, 512 * 1024));
        assertFalse(qr.compresses(3, Long.MAX_VALUE / 4), "a TP degree the kernel does not support never compresses");
        assertEquals("tp2:1048576,tp4:2097152", qr.label());
        assertThrows(IllegalArgumentException.class, () -> CompressThreshold.atLeast(-1));
    }
}
