package dev.flashcomm.tp.comm.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Engine all-reduce == host all-reduce, {@code floatToRawIntBits} for every element, on CPU fp32: every format and
 * path over the whole case grid (about a minute, hence slow; {@link EngineCommunicatorTest} has a fast subset).
 */
@Tag("slow")
class EngineAllReduceEqualsHostTest {

    private static NDManager cpu;

    @BeforeAll
    static void open() {
        cpu = Engines.newRootManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    static Stream<Arguments> flashGrid() {
        return EngineCases.CASES.stream().flatMap(c -> EngineCases.flashFormats(c.group())
                .flatMap(f -> Stream.of(CommPath.FAKE, CommPath.PACKED, CommPath.RING)
                        .map(path -> Arguments.of(f, path, c))));
    }

    /** The new formats on every path, and every format family with 16-bit accumulation. */
    static Stream<Arguments> newFormatGrid() {
        return EngineCases.CASES.stream().flatMap(c -> EngineCases.newFormats(c.group())
                .flatMap(f -> Stream.of(CommPath.FAKE, CommPath.PACKED, CommPath.RING)
                        .map(path -> Arguments.of(f, path, Accumulation.FP32, c))));
    }

    static Stream<Arguments> accumulationGrid() {
        return EngineCases.CASES.stream().flatMap(c -> Stream.of(Accumulation.FP16, Accumulation.BF16)
                .flatMap(acc -> Stream.of("int8-sym-g" + c.group(), "fp8-e4m3-g" + c.group() + "-sfp32",
                        "int2-asym-g" + c.group() + "-spike", "fp16", "bf16")
                        .flatMap(f -> Stream.of(CommPath.FAKE, CommPath.PACKED, CommPath.RING)
                                .filter(path -> path != CommPath.RING || CommFormat.parse(f).isFlash())
                                .filter(path -> path == CommPath.FAKE || CommFormat.parse(f).isFlash())
                                .map(path -> Arguments.of(CommFormat.parse(f), path, acc, c)))));
    }

    @ParameterizedTest(name = "{0} {1} acc {2} {3}")
    @MethodSource({"newFormatGrid", "accumulationGrid"})
    void newFormatsAndAccumulationsMatchHost(CommFormat format, CommPath path, Accumulation acc, EngineCases.Case c) {
        EngineCases.assertEngineMatchesHost(List.of(cpu), format, path, acc, c);
    }

    static Stream<Arguments> roundedGrid() {
        return EngineCases.CASES.stream().flatMap(c -> Stream.of("exact", "fp16", "bf16")
                .map(f -> Arguments.of(CommFormat.parse(f), CommPath.FAKE, c)));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("flashGrid")
    void flashMatchesHost(CommFormat format, CommPath path, EngineCases.Case c) {
        EngineCases.assertEngineMatchesHost(List.of(cpu), format, path, c);
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("roundedGrid")
    void elementFormatsMatchHost(CommFormat format, CommPath path, EngineCases.Case c) {
        EngineCases.assertEngineMatchesHost(List.of(cpu), format, path, c);
    }
}
