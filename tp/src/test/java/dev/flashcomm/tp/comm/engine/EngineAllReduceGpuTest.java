package dev.flashcomm.tp.comm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithms;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU equality checks with partials on GPUs: rank r on {@code gpu(r % gpuCount)}, so with several GPUs the
 * all-to-all and all-gather are real device-to-device copies. Skips without a GPU. Run with
 * {@code mvn -B test -pl tp -am -Dgroups=gpu -Dtest='EngineAllReduceGpuTest' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("gpu")
class EngineAllReduceGpuTest {

    private static final List<NDManager> GPUS = new ArrayList<>();

    @BeforeAll
    static void open() {
        int count = Engine.getEngine(Engines.ENGINE).getGpuCount();
        assumeTrue(count > 0, () -> "skipped: " + Engines.ENGINE + " sees no GPU");
        for (int i = 0; i < count; i++) {
            GPUS.add(Engines.newRootManager(Device.gpu(i)));
        }
    }

    @AfterAll
    static void close() {
        GPUS.forEach(NDManager::close);
        GPUS.clear();
    }

    static Stream<Arguments> grid() {
        Stream<Arguments> flash = EngineCases.CASES.stream().flatMap(c -> EngineCases.flashFormats(c.group())
                .flatMap(f -> Stream.of(CommPath.FAKE, CommPath.PACKED, CommPath.RING).map(p -> Arguments.of(f, p, c))));
        Stream<Arguments> rounded = EngineCases.CASES.stream().flatMap(c -> Stream.of("exact", "fp16", "bf16")
                .map(f -> Arguments.of(CommFormat.parse(f), CommPath.FAKE, c)));
        return Stream.concat(rounded, flash);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("grid")
    void gpuEngineMatchesHost(CommFormat format, CommPath path, EngineCases.Case c) {
        EngineCases.assertEngineMatchesHost(GPUS, format, path, c);
    }

    static Stream<Arguments> packedGrid() {
        return EngineCases.CASES.stream().flatMap(c -> EngineCases.flashFormats(c.group()).map(f -> Arguments.of(f, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("packedGrid")
    void gpuPackedCountsTheHostsBytes(CommFormat format, EngineCases.Case c) {
        float[][] p = EngineCases.partials(11L * c.rows() + c.ranks(), format, c.ranks(), c.rows(), c.cols());
        List<NDArray> inputs = new ArrayList<>();
        for (int r = 0; r < p.length; r++) {
            inputs.add(GPUS.get(r % GPUS.size()).create(p[r], new Shape(c.rows(), c.cols())));
        }
        try (Workspace ws = Workspace.newUnder(inputs.get(0))) {
            List<NDArray> work = new ArrayList<>();
            for (NDArray in : inputs) {
                work.add(ws.adopt(in, c.rows(), c.cols()));
            }
            EngineFlashPackedAllReduce.Result packed = new EngineFlashPackedAllReduce(format.reduceScatter(),
                    format.allGather()).reduceCounting(work, ws);
            assertArrayEquals(AllReduceAlgorithms.create(format, CommPath.PACKED).bytesSentPerRank(c.ranks(), c.rows(),
                    c.cols()), packed.bytesSentPerRank(), format + " " + c);
            EngineCases.assertBitsEqual(EngineCases.host(format, CommPath.FAKE, p, c.rows(), c.cols()),
                    packed.sum().toFloatArray(), format + " " + c);
        } finally {
            inputs.forEach(NDArray::close);
        }
    }
}
