package dev.flashcomm.eval.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.Slow;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.CompressThreshold;
import dev.flashcomm.tp.comm.FormatCommunicator;
import dev.flashcomm.tp.comm.TrafficMeter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Incremental decoding against its definition: greedy decoding by re-running the full forward on the growing
 * sequence, request by request. Batches mix prompts of different lengths, so every batch of more than one row is
 * left-padded, and every TP degree exercises the per-rank caches. Tokens must be equal and log-probs agree within
 * 1e-5 (fp32; the cached and full forwards sum the same products in different blockings).
 */
@Slow
class GeneratorTest {

    static final List<String> PROMPTS = List.of(
            "Once upon a time, there was a little girl named Lily.",
            "The cat sat",
            "Tom and his friend Sam went to the park to play with a big red ball. They",
            "One day,",
            "She looked at the sky and saw");

    static Path model(String name) {
        if (name.equals("llama3-tiny")) {
            return Fixtures.ROOT.resolve("models/llama3-tiny"); // bundled: runs without the shared fixtures
        }
        return Fixtures.shared("models/" + name);
    }

    static Communicator communicator(String format) {
        return new FormatCommunicator(CommSettings.of(format), new TrafficMeter(), null);
    }

    static List<GenerationRequest> requests(ScoringModel m, int newTokens) {
        List<GenerationRequest> out = new ArrayList<>();
        for (String p : PROMPTS) {
            out.add(GenerationRequest.of(m.tokenizer().encode(p), newTokens));
        }
        return out;
    }

    /**
     * With exact communication the cached forward is the full forward reorganised: the same products in other
     * blockings, so 1e-5 holds. (A compressed format is not continuous: a 1-ulp difference before a quantizer can move
     * a level by a whole step, so a decode under int4 matches a re-run full forward in tokens but not to 1e-5; see
     * {@link #decodeStepsGoThroughTheCommunicatorAndItsThreshold} for what compressed decoding must do.)
     */
    @ParameterizedTest(name = "{0} tp {1} batch {2}")
    @CsvSource({
        "llama3-tiny, 1, 1", "llama3-tiny, 1, 3", "llama3-tiny, 2, 5", "llama3-tiny, 4, 2", "llama3-tiny, 8, 4",
        "qwen2-tiny, 2, 3", "qwen2-tiny, 4, 5", "qwen3-tiny, 2, 5", "qwen3-tiny, 4, 2", "stories260K, 2, 4",
        "stories260K, 1, 5",
        // mixture of experts: every step routes its tokens afresh, the left padding of the batch included
        "qwen3-moe-tiny, 1, 5", "qwen3-moe-tiny, 2, 3", "qwen2-moe-tiny, 1, 3", "qwen2-moe-tiny, 2, 5",
        "mixtral-tiny, 1, 5", "mixtral-tiny, 2, 3"})
    void incrementalDecodingEqualsTheFullForward(String name, int tp, int batch) {
        int newTokens = 12;
        try (ScoringModel m = ModelLoader.load(model(name), tp, List.of(TestDevice.get()), DataType.FLOAT32)) {
            List<GenerationRequest> requests = requests(m, newTokens);
            List<Generation> got = new Generator(m, batch).generate(requests, communicator("exact"), Progress.NONE);
            assertEquals(requests.size(), got.size());
            for (int i = 0; i < requests.size(); i++) {
                FullForwardDecoder.Result want = FullForwardDecoder.decode(m.model(), requests.get(i).promptIds(),
                        newTokens, communicator("exact"));
                Generation g = got.get(i);
                assertArrayEquals(requests.get(i).promptIds(), g.promptIds());
                assertArrayEquals(want.ids(), g.newIds(), "prompt " + i + " tokens");
                assertArrayEquals(want.logProbs(), g.logProbs(), 1e-5, "prompt " + i + " log-probs");
                assertEquals(StopReason.MAX_NEW_TOKENS, g.stopReason());
                assertEquals(m.tokenizer().decode(g.newIds()), g.text());
            }
        }
    }

    /**
     * Every step, prefill and decode, makes 2 x layers all-reduces through the communicator; a size threshold
     * between the decode steps' {@code [B, 1, H]} messages and the prefill's leaves the steps uncompressed; and the
     * compression changes what is generated (it is really applied).
     */
    @Test
    void decodeStepsGoThroughTheCommunicatorAndItsThreshold() {
        int newTokens = 6;
        try (ScoringModel m = ModelLoader.load(model("llama3-tiny"), 2, List.of(TestDevice.get()), DataType.FLOAT32)) {
            List<GenerationRequest> requests = requests(m, newTokens);
            int layers = m.model().config().numLayers();
            int hidden = m.model().config().hiddenSize();
            int batch = PROMPTS.size();
            long steps = newTokens; // the prefill, then one step per new token but the last
            TrafficMeter all = new TrafficMeter();
            List<Generation> int4 = new Generator(m, batch).generate(requests,
                    new FormatCommunicator(CommSettings.of("int4-asym-g32"), all, null), Progress.NONE);
            assertEquals(steps * 2 * layers, all.snapshot().allReduces());
            assertEquals(steps * 2 * layers, all.snapshot().compressedAllReduces());

            long decodeMessageBytes = 2L * batch * hidden;
            CommSettings base = CommSettings.of("int4-asym-g32");
            CommSettings thresholded = new CommSettings(base.format(), base.path(), base.scope(), base.accumulation(),
                    base.cast(), CompressThreshold.atLeast(decodeMessageBytes + 1), null);
            TrafficMeter prefillOnly = new TrafficMeter();
            new Generator(m, batch).generate(requests, new FormatCommunicator(thresholded, prefillOnly, null),
                    Progress.NONE);
            assertEquals(steps * 2 * layers, prefillOnly.snapshot().allReduces());
            assertEquals(2L * layers, prefillOnly.snapshot().compressedAllReduces(), "only the prefill compressed");

            List<Generation> exact = new Generator(m, batch).generate(requests, communicator("exact"), Progress.NONE);
            double moved = 0;
            for (int i = 0; i < batch; i++) {
                for (int t = 0; t < newTokens; t++) {
                    moved = Math.max(moved, Math.abs(exact.get(i).logProbs()[t] - int4.get(i).logProbs()[t]));
                }
            }
            assertTrue(moved > 1e-4, "int4 communication should move some log-prob, moved " + moved);
        }
    }

    @Test
    void aStopSequenceEndsTheRowAndCutsItsText() {
        try (ScoringModel m = ModelLoader.load(model("llama3-tiny"), 2, List.of(TestDevice.get()), DataType.FLOAT32)) {
            Communicator comm = communicator("exact");
            GenerationRequest free = requests(m, 16).get(0);
            Generation full = new Generator(m, 1).generate(List.of(free), comm, Progress.NONE).get(0);
            // a stop string made of the text of tokens 5..6: generation must end at token 6 (index 6), text before it
            String before = m.tokenizer().decode(java.util.Arrays.copyOf(full.newIds(), 5));
            String upTo = m.tokenizer().decode(java.util.Arrays.copyOf(full.newIds(), 7));
            String stop = upTo.substring(before.length());
            assertTrue(!stop.isEmpty() && before.indexOf(stop) < 0, "the test needs a stop string new at token 6");
            GenerationRequest stopping = new GenerationRequest(free.promptIds(), 16, List.of("\u0000never", stop),
                    false);
            List<Generation> both = new Generator(m, 2).generate(List.of(stopping, free), comm, Progress.NONE);
            Generation cut = both.get(0);
            assertEquals(StopReason.STOP_SEQUENCE, cut.stopReason());
            assertArrayEquals(java.util.Arrays.copyOf(full.newIds(), 7), cut.newIds());
            assertEquals(upTo.substring(0, upTo.indexOf(stop)), cut.text());
            assertArrayEquals(full.newIds(), both.get(1).newIds(), "the other row runs on to its own limit");
        }
    }

    /** qwen3-tiny answers "The end." with its EOS ({@code <|endoftext|>}, id 0) at once. */
    @Test
    void eosStopsOnlyWhenAsked() {
        try (ScoringModel m = ModelLoader.load(model("qwen3-tiny"), 2, List.of(TestDevice.get()), DataType.FLOAT32)) {
            Communicator comm = communicator("exact");
            int eos = m.model().config().eosTokenId().orElseThrow();
            int[] prompt = m.tokenizer().encode("The end.");
            Generation runOn = new Generator(m, 1).generate(List.of(GenerationRequest.of(prompt, 8)), comm,
                    Progress.NONE).get(0);
            assertEquals(eos, runOn.newIds()[0], "the fixture's premise");
            assertEquals(8, runOn.newIds().length, "no EOS stop unless asked");
            assertEquals(StopReason.MAX_NEW_TOKENS, runOn.stopReason());
            Generation stopped = new Generator(m, 1).generate(List.of(new GenerationRequest(prompt, 8, List.of(),
                    true)), comm, Progress.NONE).get(0);
            assertArrayEquals(new int[] {eos}, stopped.newIds());
            assertEquals(StopReason.EOS, stopped.stopReason());
            assertEquals("<|endoftext|>", stopped.text(), "special tokens are kept in the text");
        }
    }

    @Test
    void aPromptThatDoesNotFitTheModelIsBadInput() {
        try (ScoringModel m = ModelLoader.load(model("llama3-tiny"), 1, List.of(TestDevice.get()), DataType.FLOAT32)) {
            int[] prompt = new int[m.maxLength() - 3];
            InputException e = assertThrows(InputException.class, () -> new Generator(m, 1).generate(
                    List.of(GenerationRequest.of(new int[] {1}, 2), GenerationRequest.of(prompt, 4)),
                    communicator("exact"), Progress.NONE));
            assertTrue(e.getMessage().startsWith("prompt 2: "), e.getMessage());
        }
    }
}
