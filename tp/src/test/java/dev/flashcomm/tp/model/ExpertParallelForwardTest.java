package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.Fixtures;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.CompressionScope;
import dev.flashcomm.tp.comm.FormatCommunicator;
import dev.flashcomm.tp.comm.LegTraffic;
import dev.flashcomm.tp.comm.Site;
import dev.flashcomm.tp.comm.SiteErrors;
import dev.flashcomm.tp.comm.TrafficMeter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expert parallelism through a whole forward of the three MoE checkpoints: with exact legs it computes the
 * tensor-parallel model up to float rounding, and the bytes it reports are the all-reduces' plus the legs' that the
 * real routing implies, recounted here from that routing.
 */
class ExpertParallelForwardTest {

    static final int BATCH = 2;
    static final int LEN = 48;

    static Stream<Arguments> grid() {
        return Stream.of("qwen3-moe-tiny", "qwen2-moe-tiny", "mixtral-tiny")
                .flatMap(m -> Stream.of(2, 4).map(tp -> Arguments.of(m, tp)));
    }

    /** The same pseudo-random ids as TensorParallelExactTest: every vocabulary region, no tokenizer needed. */
    static int[] ids(int vocab) {
        int[] ids = new int[BATCH * LEN];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) ((i * 2654435761L) % vocab);
        }
        return ids;
    }

    static CommSettings exactLegs() {
        return CommSettings.resolve(CommChoice.parse("exact"), CommPath.FAKE, CompressionScope.ALL, null, null, null,
                CommFormat.EXACT, CommFormat.EXACT);
    }

    /**
     * EP with exact dispatch and combine against TP exact at the same degree. Attention (and qwen3-moe's dense layer
     * 1) is the same tensor-parallel code in both, so the first sparse block sees bit-identical inputs and routes
     * identically; what differs is only how fp32 sums are ordered: TP sums each expert's down projection over a
     * rank's columns and then over ranks, EP over all columns at once, and adds the k weighted outputs in another
     * order. Each reordering changes a sum by a few fp32 ulps (2^-24 relative to the terms), carried through four
     * layers: 1e-5 of the largest logit (the bound TensorParallelExactTest uses for TP against TP 1) is two orders of
     * magnitude above that and far below any real difference (a token routed to another expert moves logits by
     * whole units, and bf16 legs already give about 1e-3, see below). Measured on CPU: 4e-7 to 6e-7 with exact
     * legs, 8e-4 to 1.4e-3 with bf16 legs. About a minute for the six cases, hence slow.
     */
    @Tag("slow")
    @ParameterizedTest(name = "{0} tp={1}")
    @MethodSource("grid")
    void exactLegsGiveTheTensorParallelLogits(String name, int tp) {
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        int[] ids = ids(ck.config().vocabSize());
        float[] tpLogits = logits(ck, tp, MoeParallel.TP, ids, exactLegs());
        float[] epLogits = logits(ck, tp, MoeParallel.EP, ids, exactLegs());
        double rel = maxDiff(tpLogits, epLogits) / maxAbs(tpLogits);
        assertTrue(rel <= 1e-5, name + " tp=" + tp + ": max |Δlogit| / max |logit| = " + rel);
        // bf16 legs do change the logits, and by far more than the reordering above: the bound is not vacuous
        CommSettings bf16Legs = CommSettings.resolve(CommChoice.parse("exact"), CommPath.FAKE, CompressionScope.ALL,
                null, null, null, CommFormat.BF16, CommFormat.BF16);
        double relBf16 = maxDiff(tpLogits, logits(ck, tp, MoeParallel.EP, ids, bf16Legs)) / maxAbs(tpLogits);
        assertTrue(relBf16 > 10 * rel && relBf16 > 1e-5, name + " tp=" + tp + ": bf16 legs moved the logits by "
                + relBf16 + ", exact legs by " + rel);
    }

    static float[] logits(Checkpoint ck, int tp, MoeParallel moe, int[] ids, CommSettings settings) {
        try (TransformerModel model = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), tp, moe),
                List.of(Device.cpu()), DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            return model.logits(step.create(ids, new Shape(BATCH, LEN)),
                    new FormatCommunicator(settings, new TrafficMeter(), null)).toFloatArray();
        }
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs((double) a[i] - b[i]));
        }
        return d;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /**
     * One forward under {@code deepep-ll} (bf16 all-reduces, fp8-e4m3-g128-sfp32 dispatch, bf16 combine). A
     * communicator in the middle recomputes each sparse layer's routing from the rows being dispatched (they are
     * the router's input), counts the legs by brute force from it, and checks what the model passed. The meter must
     * then hold, per rank, exactly:
     * <ul>
     *   <li>the routing-independent all-reduces: every attention block, and qwen3-moe's dense layer 1, one bf16
     *       ring of {@code [T, H]} each: {@code 2(N-1)} chunks of {@code T·H/N} elements of 2 bytes;</li>
     *   <li>plus the legs: dispatch rows sent times 264 bytes (H = 256: two groups of 128 one-byte codes and a
     *       4-byte scale), combine rows sent times 512 (bf16).</li>
     * </ul>
     * and the dispatch rows of the diagnostics carry a load that sums to {@code T·k} per sparse layer.
     */
    @ParameterizedTest(name = "{0} tp={1}")
    @MethodSource("grid")
    void bytesPerForwardAreTheAllReducesPlusTheLegsOfTheRealRouting(String name, int tp) {
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        ShardPlan plan = ShardPlan.balanced(ck.config(), tp, MoeParallel.EP);
        int hidden = ck.config().hiddenSize();
        assertEquals(256, hidden, "the byte counts below are worked out for H = 256");
        int tokens = BATCH * LEN;
        CommSettings deepep = CommSettings.resolve(CommChoice.parse("deepep-ll"), CommPath.FAKE, CompressionScope.ALL,
                null, null, null);
        TrafficMeter meter = new TrafficMeter();
        SiteErrors errors = new SiteErrors();
        ModelWeights weights = TransformerModel.weights(ck, plan, List.of(Device.cpu()), DataType.FLOAT32,
                LoadListener.NONE, LoadOptions.defaults());
        List<SparseBlock> blocks = new ArrayList<>(weights.sparseBlocks);
        Recounting comm = new Recounting(new FormatCommunicator(deepep, meter, errors), blocks, plan, tokens);
        try (TransformerModel model = TransformerModel.from(weights);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            model.logits(step.create(ids(ck.config().vocabSize()), new Shape(BATCH, LEN)), comm);
        }
        int layers = ck.config().numLayers();
        long sparse = blocks.stream().filter(b -> b != null).count();
        assertEquals(name.startsWith("qwen3") ? 3 : 4, sparse, "qwen3-moe-tiny's layer 1 is dense");
        assertEquals(sparse, comm.dispatches, "one dispatch per sparse layer");
        assertEquals(sparse, comm.combines, "one combine per sparse layer");
        long allReduces = layers + (layers - sparse);
        assertEquals(allReduces, comm.allReduces, "attention everywhere, MLP on dense layers only");
        assertEquals(allReduces, meter.snapshot().allReduces(), "the legs are not counted as all-reduces");

        long ring = 2L * (tp - 1) * ((long) tokens * hidden / tp) * 2;
        long[] want = new long[tp];
        for (int r = 0; r < tp; r++) {
            want[r] = allReduces * ring + comm.dispatchRows[r] * 264 + comm.combineRows[r] * 512;
        }
        TrafficMeter.Traffic t = meter.snapshot();
        assertEquals(Arrays.stream(want).max().orElseThrow(), t.maxRankBytes(), name + " tp=" + tp + " busiest rank");
        assertEquals(Arrays.stream(want).sum(), t.totalBytes(), name + " tp=" + tp + " all ranks");
        assertTrue(Arrays.stream(comm.dispatchRows).sum() > 0, "some tokens left their rank");

        int k = ck.config().moe().topK();
        for (SiteErrors.Row row : errors.rows()) {
            if (row.site() == Site.DISPATCH) {
                assertEquals(tp, row.expertLoad().length, "one load per rank");
                assertEquals((long) tokens * k, Arrays.stream(row.expertLoad()).sum(), "layer " + row.layer());
                assertArrayEquals(comm.loads.get(row.layer()), row.expertLoad(), "layer " + row.layer());
                assertEquals("fp8-e4m3-g128-sfp32", row.format());
            } else if (row.site() == Site.COMBINE) {
                assertEquals("bf16", row.format());
                assertEquals((long) tokens * k * hidden, row.elements(), "T·k expert outputs of H");
            } else {
                assertEquals("bf16", row.format());
            }
        }
        assertEquals(sparse, errors.rows().stream().filter(r -> r.site() == Site.DISPATCH).count());
    }

    /**
     * A pass-through communicator that recounts every leg from the routing: token t lives on the rank r with
     * {@code floor(r·T/N) <= t < floor((r+1)·T/N)}, expert e on the rank with {@code floor(r·E/N) <= e < ...}.
     */
    static final class Recounting implements Communicator {
        final Communicator inner;
        final List<SparseBlock> blocks;
        final ShardPlan plan;
        final int tokens;
        final long[] dispatchRows;
        final long[] combineRows;
        final Map<Integer, long[]> loads = new HashMap<>();
        private LegTraffic expectedCombine;
        int allReduces;
        int dispatches;
        int combines;

        Recounting(Communicator inner, List<SparseBlock> blocks, ShardPlan plan, int tokens) {
            this.inner = inner;
            this.blocks = blocks;
            this.plan = plan;
            this.tokens = tokens;
            this.dispatchRows = new long[plan.ranks()];
            this.combineRows = new long[plan.ranks()];
        }

        @Override
        public NDArray allReduce(List<NDArray> partials, int layer, Site site) {
            allReduces++;
            assertEquals(new Shape(BATCH, LEN, 256), partials.get(0).getShape(), "layer " + layer + " " + site);
            return inner.allReduce(partials, layer, site);
        }

        @Override
        public NDArray transfer(NDArray rows, int layer, Site site, LegTraffic traffic) {
            int n = plan.ranks();
            if (site == Site.DISPATCH) {
                dispatches++;
                assertEquals(new Shape(tokens, 256), rows.getShape(), "every token is dispatched once");
                Routing routing = blocks.get(layer).route(rows.reshape(1, tokens, 256));
                long[] sent = new long[n];
                long[] load = new long[n];
                long[] back = new long[n];
                long[] home = new long[n];
                for (int t = 0; t < tokens; t++) {
                    int h = rankOf(t, tokens, n);
                    boolean[] destination = new boolean[n];
                    for (int j = 0; j < routing.topK(); j++) {
                        int owner = rankOf(routing.choice()[t * routing.topK() + j], routing.experts(), n);
                        load[owner]++;
                        if (owner != h) {
                            destination[owner] = true;
                            back[owner]++;
                            home[h]++;
                        }
                    }
                    for (int r = 0; r < n; r++) {
                        sent[h] += destination[r] ? 1 : 0;
                    }
                }
                assertArrayEquals(sent, traffic.sent(), "layer " + layer + " dispatch rows sent");
                assertArrayEquals(load, traffic.received(), "layer " + layer + " expert load");
                expectedCombine = new LegTraffic(back, home);
                loads.put(layer, load);
                for (int r = 0; r < n; r++) {
                    dispatchRows[r] += sent[r];
                }
            } else {
                combines++;
                assertEquals(new Shape((long) tokens * blocks.get(layer).spec().topK(), 256), rows.getShape(),
                        "one expert output per (token, expert) pair");
                assertArrayEquals(expectedCombine.sent(), traffic.sent(), "layer " + layer + " combine rows sent");
                assertArrayEquals(expectedCombine.received(), traffic.received(), "layer " + layer + " combine");
                for (int r = 0; r < n; r++) {
                    combineRows[r] += traffic.sent()[r];
                }
            }
            return inner.transfer(rows, layer, site, traffic);
        }

        /** The rank whose balanced range {@code [floor(r·n/N), floor((r+1)·n/N))} holds unit {@code i}. */
        static int rankOf(int i, int units, int ranks) {
            for (int r = 0; r < ranks; r++) {
                if (i >= (long) r * units / ranks && i < (long) (r + 1) * units / ranks) {
                    return r;
                }
            }
            throw new AssertionError(i + " outside 0.." + (units - 1));
        }
    }
}
