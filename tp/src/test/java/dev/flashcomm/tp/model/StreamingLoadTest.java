package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.Fixtures;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.StoredTensor;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.FormatCommunicator;
import dev.flashcomm.tp.comm.TrafficMeter;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming loader reproduces the old HostTensor loader bit for bit, in layout, dtype and values, on dense
 * and mixture-of-experts checkpoints (every expert's column shard, the shared expert, the fp32 router), and it
 * stays within its memory bounds: a few staging buffers on the host, nothing but the weights left on the device.
 */
class StreamingLoadTest {

    /** Tiny chunks and the minimum of buffers, so every multi-chunk and back-pressure path runs. */
    static final LoadOptions TINY = new LoadOptions(4096, 2, 2);

    static Stream<Arguments> grid() {
        List<Arguments> out = new ArrayList<>();
        for (String m : List.of("stories260K", "llama3-tiny", "qwen2-tiny", "qwen3-tiny", "bundled:llama3-tiny",
                "qwen3-moe-tiny", "qwen2-moe-tiny", "mixtral-tiny")) {
            for (int tp : new int[] {1, 2, 3}) {
                out.add(Arguments.of(m, tp));
            }
        }
        return out.stream();
    }

    static Path dir(String model) {
        if (model.startsWith("bundled:")) {
            Path p = Path.of(System.getProperty("flashcomm.root", "..")).resolve("models")
                    .resolve(model.substring(8));
            org.junit.jupiter.api.Assumptions.assumeTrue(p.toFile().isDirectory(), () -> "skipped: no " + p);
            return p;
        }
        return Fixtures.model(model);
    }

    @ParameterizedTest(name = "{0} tp={1}")
    @MethodSource("grid")
    void weightsAndLogitsAreBitIdentical(String model, int tp) throws Exception {
        Checkpoint ck = Checkpoint.open(dir(model));
        ShardPlan plan = ShardPlan.balanced(ck.config(), tp);
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            ModelWeights old = oldWeights(ck, plan, type);
            ModelWeights streamed = TransformerModel.weights(ck, plan, List.of(Device.cpu()), type,
                    LoadListener.NONE, TINY);
            try (TransformerModel a = TransformerModel.from(old); TransformerModel b = TransformerModel.from(streamed)) {
                List<NDArray> wa = arrays(old);
                List<NDArray> wb = arrays(streamed);
                assertEquals(wa.size(), wb.size());
                for (int i = 0; i < wa.size(); i++) {
                    assertSame(wa.get(i), wb.get(i), model + " tp=" + tp + " " + type + " weight #" + i);
                }
                if (type == DataType.FLOAT32) {
                    assertArrayEquals(logits(a), logits(b), model + " tp=" + tp + ": logits differ");
                }
            }
        }
    }

    @Test
    void defaultOptionsGiveTheSameLogits() {
        Checkpoint ck = Checkpoint.open(Fixtures.model("llama3-tiny"));
        ShardPlan plan = ShardPlan.balanced(ck.config(), 2);
        try (TransformerModel a = TransformerModel.from(oldWeights(ck, plan, DataType.FLOAT32));
             TransformerModel b = TransformerModel.load(ck, plan, List.of(Device.cpu()), DataType.FLOAT32)) {
            assertArrayEquals(logits(a), logits(b));
        }
    }

    @Test
    void listenerSeesEveryTensorAndTheTotal() {
        Checkpoint ck = Checkpoint.open(Fixtures.model("llama3-tiny"));
        List<String> names = new ArrayList<>();
        long[] last = {0, -1};
        LoadListener l = (name, done, total) -> {
            assertTrue(done > last[0] && done <= total, name + ": " + done + " of " + total);
            assertTrue(last[1] < 0 || last[1] == total, "total changed");
            last[0] = done;
            last[1] = total;
            names.add(name);
        };
        try (TransformerModel m = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), 2),
                List.of(Device.cpu()), DataType.FLOAT32, l)) {
            assertNotNull(m);
        }
        List<StoredTensor> order = ModelWeights.loadOrder(ck);
        assertEquals(order.stream().map(StoredTensor::name).toList(), names);
        assertEquals(order.stream().mapToLong(StoredTensor::storedBytes).sum(), last[0]);
        assertEquals(last[0], last[1]);
    }

    /** A mixture-of-experts checkpoint is hundreds of small tensors: the pool bounds them the same way. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama3-tiny", "qwen3-moe-tiny", "qwen2-moe-tiny", "mixtral-tiny"})
    void hostStagingStaysWithinTheBufferPool(String model) {
        Checkpoint ck = Checkpoint.open(Fixtures.model(model));
        ModelWeights w = TransformerModel.weights(ck, ShardPlan.balanced(ck.config(), 2), List.of(Device.cpu()),
                DataType.FLOAT32, LoadListener.NONE, TINY);
        try (TransformerModel m = TransformerModel.from(w)) {
            assertTrue(w.peakStagingBuffers >= 1 && w.peakStagingBuffers <= TINY.buffers(),
                    "peak " + w.peakStagingBuffers);
            assertEquals(4096, w.stagingBufferBytes);
        }
    }

    /**
     * Once loaded, the device holds the weights and nothing else: every full tensor a layer was cut from, every
     * intermediate of a transpose (and any view that would keep a full tensor's storage alive) is gone. Counted
     * as arrays on the model's managers against the distinct weight arrays; a leak of one array per layer (one
     * sparse block's router, say) would multiply by the depth of a real model.
     */
    @ParameterizedTest(name = "{0} tp={1}")
    @CsvSource({"llama3-tiny, 2", "qwen3-moe-tiny, 3", "qwen2-moe-tiny, 2", "mixtral-tiny, 5"})
    void onlyTheWeightsStayOnTheDevice(String model, int tp) throws Exception {
        Checkpoint ck = Checkpoint.open(Fixtures.model(model));
        ModelWeights w = TransformerModel.weights(ck, ShardPlan.balanced(ck.config(), tp), List.of(Device.cpu()),
                DataType.FLOAT32, LoadListener.NONE, TINY);
        try (TransformerModel m = TransformerModel.from(w)) {
            Set<NDArray> weights = Collections.newSetFromMap(new IdentityHashMap<>());
            arrays(w).stream().filter(a -> a != null).forEach(weights::add);
            List<String> alive = new ArrayList<>();
            for (NDManager manager : w.managers.values()) {
                for (NDArray a : manager.getManagedArrays()) {
                    if (!weights.contains(a)) {
                        alive.add(a.getShape() + " " + a.getDataType());
                    }
                }
            }
            assertEquals(List.of(), alive, "arrays left on the device besides the " + weights.size() + " weights");
        }
    }

    @ParameterizedTest(name = "{0} tp={1}")
    @CsvSource({"qwen3-tiny, 3", "qwen2-moe-tiny, 3", "mixtral-tiny, 5"})
    void everyWeightIsContiguous(String model, int tp) throws Exception {
        Checkpoint ck = Checkpoint.open(Fixtures.model(model));
        ModelWeights w = TransformerModel.weights(ck, ShardPlan.balanced(ck.config(), tp), List.of(Device.cpu()),
                DataType.FLOAT32, LoadListener.NONE, TINY);
        try (TransformerModel m = TransformerModel.from(w)) {
            for (NDArray a : arrays(w)) {
                if (a == null) {
                    continue; // an optional weight this architecture lacks
                }
                assertTrue(RankSlicerTest.isContiguous(a), "not contiguous: " + a.getShape());
            }
        }
    }

    static ModelWeights oldWeights(Checkpoint ck, ShardPlan plan, DataType type) {
        ModelWeights w = new ModelWeights(ck.config(), plan, List.of(Device.cpu()), type);
        new HostTensorLoader(w).load(ck);
        return w;
    }

    static void assertSame(NDArray a, NDArray b, String what) {
        if (a == null || b == null) {
            assertEquals(a == null, b == null, what + ": presence");
            return;
        }
        assertEquals(a.getShape(), b.getShape(), what + ": shape");
        assertEquals(a.getDataType(), b.getDataType(), what + ": dtype");
        assertEquals(a.getDevice(), b.getDevice(), what + ": device");
        ByteBuffer x = a.toByteBuffer();
        ByteBuffer y = b.toByteBuffer();
        assertEquals(x, y, what + ": bytes");
    }

    /**
     * Every weight array in a fixed order: the replicated ones, each sparse block's router and shared-expert gate,
     * then each rank layer's fields, its dense MLP or every expert's shard and the shared expert's. An absent part
     * is null (three for a gated MLP), so two loads that differ in structure differ here too.
     */
    static List<NDArray> arrays(ModelWeights w) throws IllegalAccessException {
        List<NDArray> out = new ArrayList<>(List.of(w.embedding, w.lmHead, w.finalNorm));
        out.addAll(w.inputNorms);
        out.addAll(w.postNorms);
        w.outputBiases.forEach(out::add);
        w.downBiases.forEach(out::add);
        for (int l = 0; l < w.layers.size(); l++) {
            SparseBlock block = l < w.sparseBlocks.size() ? w.sparseBlocks.get(l) : null;
            if (block == null) {
                out.add(null);
                out.add(null);
            } else {
                ndArrayFields(SparseBlock.class, block, out);
            }
        }
        for (List<RankLayer> layer : w.layers) {
            for (RankLayer r : layer) {
                // RankLayer keeps its weights private (it is not ours to change), so the test reads them reflectively
                ndArrayFields(RankLayer.class, r, out);
                for (Field f : RankLayer.class.getDeclaredFields()) {
                    f.setAccessible(true);
                    if (f.getType() == GatedMlp.class) {
                        mlpArrays((GatedMlp) f.get(r), out);
                    } else if (f.getType() == RankExperts.class) {
                        RankExperts experts = (RankExperts) f.get(r);
                        if (experts != null) {
                            for (GatedMlp e : experts.experts()) {
                                mlpArrays(e, out);
                            }
                            mlpArrays(experts.shared(), out);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void mlpArrays(GatedMlp mlp, List<NDArray> out) throws IllegalAccessException {
        if (mlp == null) {
            out.add(null);
            out.add(null);
            out.add(null);
        } else {
            ndArrayFields(GatedMlp.class, mlp, out);
        }
    }

    private static <T> void ndArrayFields(Class<T> type, T object, List<NDArray> out) throws IllegalAccessException {
        for (Field f : type.getDeclaredFields()) {
            if (f.getType() == NDArray.class) {
                f.setAccessible(true);
                out.add((NDArray) f.get(object));
            }
        }
    }

    static float[] logits(TransformerModel model) {
        int vocab = model.config().vocabSize();
        int[] ids = new int[2 * 24];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) ((i * 2654435761L) % vocab);
        }
        try (NDManager step = Engines.newRootManager(Device.cpu())) {
            return model.logits(step.create(ids, new Shape(2, 24)),
                    new FormatCommunicator(CommSettings.of("exact"), new TrafficMeter(), null)).toFloatArray();
        }
    }
}
