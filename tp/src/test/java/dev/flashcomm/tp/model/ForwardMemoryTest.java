package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.Fixtures;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.SyntheticCheckpoint;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.Site;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The forward's memory is bounded by one layer, dense or mixture-of-experts: what stays alive after a forward pass
 * does not depend on depth, attention in blocks of queries gives the rows of the one-block computation, and Inf/NaN
 * is reported with its layer.
 */
class ForwardMemoryTest {

    /** Sums partials in the engine, in rank order (the exact format's numerics, with no byte accounting). */
    static final Communicator SUM = (partials, layer, site) -> {
        NDArray s = partials.get(0);
        for (int r = 1; r < partials.size(); r++) {
            s = s.add(partials.get(r));
        }
        return s;
    };

    private static final int HIDDEN = 64;
    private static final int VOCAB = 101;

    @TempDir
    Path tmp;

    private TransformerModel load(int layers, float scale, int tp, DataType dtype) throws IOException {
        Path dir = tmp.resolve("m" + layers + "-" + scale);
        // 4 heads of 16 over 2 KV heads, MLP 96: small enough for milliseconds, GQA and TP 2 included
        SyntheticCheckpoint.writeLlama(dir, HIDDEN, layers, 4, 2, 96, VOCAB, 42, scale);
        Checkpoint ck = Checkpoint.open(dir);
        return TransformerModel.load(ck, ShardPlan.balanced(ck.config(), tp), List.of(Device.cpu()), dtype);
    }

    private static int[] ids(int batch, int len) {
        int[] ids = new int[batch * len];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7 + 3) % VOCAB;
        }
        return ids;
    }

    /** Arrays left on the batch manager by one forward pass over {@code layers} layers at TP 2. */
    private int arraysAfterForward(int layers) throws IOException {
        try (TransformerModel model = load(layers, 0.05f, 2, DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            NDArray hidden = model.finalHidden(step.create(ids(2, 24), new Shape(2, 24)), SUM);
            assertEquals(new Shape(2, 24, HIDDEN), hidden.getShape());
            return step.getManagedArrays().size();
        }
    }

    @Test
    void arraysAliveAfterAForwardDoNotGrowWithDepth() throws IOException {
        int shallow = arraysAfterForward(2);
        int deep = arraysAfterForward(8);
        assertEquals(shallow, deep, "arrays alive after a forward pass of 2 vs 8 layers");
        assertTrue(deep < 40, "only inputs, tables, the health buffer and the output stay alive: " + deep);
    }

    /**
     * The same bound on the trained mixture-of-experts models, cut to 2 and to 4 layers (a copy whose config.json
     * says fewer layers; the unused tensors are never read): a sparse block's routing, its index arrays, the
     * experts' outputs and the shared expert's gate must all die with their layer. And within a forward, the arrays
     * alive when a layer's all-reduce runs are the same number at every layer of a kind (every sparse layer's
     * {@code mlp} site, every layer's {@code attention} site): nothing accumulates from layer to layer.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen3-moe-tiny", "qwen2-moe-tiny", "mixtral-tiny"})
    void moeArraysAliveDoNotGrowWithDepth(String name) throws IOException {
        Map<String, Integer> shallowSites = new LinkedHashMap<>();
        Map<String, Integer> deepSites = new LinkedHashMap<>();
        int shallow = arraysAfterMoeForward(name, 2, shallowSites);
        int deep = arraysAfterMoeForward(name, 4, deepSites);
        assertEquals(shallow, deep, name + ": arrays alive after a forward pass of 2 vs 4 layers");
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        Set<Integer> attention = new TreeSet<>();
        Set<Integer> sparse = new TreeSet<>();
        for (int l = 0; l < 4; l++) {
            attention.add(deepSites.get(l + " " + Site.ATTENTION.id()));
            if (ck.config().sparseLayer(l)) {
                sparse.add(deepSites.get(l + " " + Site.MLP.id()));
            }
        }
        assertEquals(1, attention.size(), name + ": arrays alive at each layer's attention all-reduce " + deepSites);
        assertEquals(1, sparse.size(), name + ": arrays alive at each sparse layer's all-reduce " + deepSites);
    }

    /**
     * Arrays left on the batch manager by one forward pass of {@code name} cut to {@code layers} layers at TP 2;
     * {@code sites} gets, per {@code "layer site"}, the arrays alive (sub-managers included) at its all-reduce.
     */
    private int arraysAfterMoeForward(String name, int layers, Map<String, Integer> sites) throws IOException {
        Path src = Fixtures.model(name);
        Path dir = Files.createDirectories(tmp.resolve(name + "-" + layers));
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("config.json")) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        JsonObject config = JsonParser.parseString(Files.readString(src.resolve("config.json"))).getAsJsonObject();
        config.addProperty("num_hidden_layers", layers);
        Files.writeString(dir.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
        Checkpoint ck = Checkpoint.open(dir);
        assertEquals(layers, ck.config().numLayers());
        try (TransformerModel model = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), 2),
                List.of(Device.cpu()), DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            Communicator counting = (partials, layer, site) -> {
                sites.put(layer + " " + site.id(), step.getManagedArrays().size());
                return SUM.allReduce(partials, layer, site);
            };
            NDArray hidden = model.finalHidden(step.create(ids(2, 24), new Shape(2, 24)), counting);
            assertEquals(new Shape(2, 24, ck.config().hiddenSize()), hidden.getShape());
            assertEquals(2 * layers, sites.size(), "one attention and one mlp all-reduce per layer");
            return step.getManagedArrays().size();
        }
    }

    @Test
    void attentionInBlocksOfQueriesGivesTheSameRows() throws IOException {
        try (TransformerModel model = load(3, 0.05f, 2, DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            NDArray x = step.create(ids(2, 40), new Shape(2, 40));
            float[] whole = model.finalHidden(x, SUM, TransformerModel.ATTENTION_SCORE_BUDGET).toFloatArray();
            // a budget of one query row per block at batch 2: 40 blocks per rank and layer
            float[] blocks = model.finalHidden(x, SUM, 2L * 2 * 40).toFloatArray();
            assertTrue(worstRelative(whole, blocks) < 1e-6, "blocked attention differs by "
                    + worstRelative(whole, blocks));
        }
    }

    /**
     * The fused layers (TorchScript this project writes, the default on GPUs; CI's CPU libtorch must compile it, or
     * GPUs lose their fastest path unnoticed) agree with the DJL ops and the explicit attention core.
     * TP 4 of 4 heads over 2 KV heads: grouped KV heads; TP 3: a rank straddles a KV group (expanded k/v).
     */
    @Test
    void fusedAttentionAgreesWithTheExplicitCore() throws IOException {
        for (int tp : new int[] {1, 3, 4}) {
            try (TransformerModel model = load(2, 0.05f, tp, DataType.FLOAT32);
                 NDManager step = Engines.newRootManager(Device.cpu())) {
                NDArray x = step.create(ids(2, 40), new Shape(2, 40));
                float[] fused = model.finalHidden(x, SUM,
                        new Attention(model.loadKernels(), TransformerModel.ATTENTION_SCORE_BUDGET)).toFloatArray();
                float[] explicit = model.finalHidden(x, SUM, TransformerModel.ATTENTION_SCORE_BUDGET).toFloatArray();
                double worst = worstRelative(explicit, fused);
                assertTrue(worst < 1e-5, "TP " + tp + ": fused attention differs by " + worst);
            }
        }
    }

    private static double worstRelative(float[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / (1 + Math.abs(expected[i])));
        }
        return worst;
    }

    @Test
    void fp16OverflowNamesTheLayerAndSuggestsFp32() throws IOException {
        try (TransformerModel model = load(3, 40f, 1, DataType.FLOAT16);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            NonFiniteActivationException e = assertThrows(NonFiniteActivationException.class,
                    () -> model.finalHidden(step.create(ids(1, 16), new Shape(1, 16)), SUM));
            assertEquals(0, e.layer(), e.getMessage());
            assertTrue(e.getMessage().contains("--dtype fp32"), e.getMessage());
            assertTrue(e.getMessage().startsWith("layer 0 " + e.site().id()), e.getMessage());
        }
        // the same weights in fp32 stay finite
        try (TransformerModel model = load(3, 40f, 1, DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            model.finalHidden(step.create(ids(1, 16), new Shape(1, 16)), SUM);
        }
    }

    @Test
    void nanInFp32IsReportedWithoutSuggestingFp32() throws IOException {
        Communicator poison = (partials, layer, site) -> {
            NDArray s = SUM.allReduce(partials, layer, site);
            return layer == 1 && site == Site.MLP ? s.mul(Float.NaN) : s;
        };
        try (TransformerModel model = load(3, 0.05f, 2, DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            NonFiniteActivationException e = assertThrows(NonFiniteActivationException.class,
                    () -> model.finalHidden(step.create(ids(1, 8), new Shape(1, 8)), poison));
            assertEquals("layer 1 mlp", e.getMessage().substring(0, "layer 1 mlp".length()));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            // the fused kernels (the GPU default) keep the same watch inside their residual adds
            Attention fused = new Attention(model.loadKernels(), TransformerModel.ATTENTION_SCORE_BUDGET);
            NonFiniteActivationException f = assertThrows(NonFiniteActivationException.class,
                    () -> model.finalHidden(step.create(ids(1, 8), new Shape(1, 8)), poison, fused));
            assertEquals(e.getMessage(), f.getMessage());
            Communicator attentionPoison = (partials, layer, site) -> {
                NDArray s = SUM.allReduce(partials, layer, site);
                return layer == 2 && site == Site.ATTENTION ? s.mul(Float.NaN) : s;
            };
            NonFiniteActivationException g = assertThrows(NonFiniteActivationException.class,
                    () -> model.finalHidden(step.create(ids(1, 8), new Shape(1, 8)), attentionPoison, fused));
            assertTrue(g.getMessage().startsWith("layer 2 " + Site.ATTENTION.id() + ": "), g.getMessage());
        }
    }
}
