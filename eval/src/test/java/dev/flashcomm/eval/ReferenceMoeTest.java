package dev.flashcomm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.flashcomm.datasets.TextCorpus;
import dev.flashcomm.eval.lm.ModelLoader;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.ppl.PerplexityProtocol;
import dev.flashcomm.eval.ppl.PerplexityRun;
import dev.flashcomm.tp.comm.CommSettings;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three trained mixture-of-experts checkpoints against their float64 references (an independent MoE
 * implementation that agrees with transformers' forward to 2e-5 in the logits): GPTQ perplexity on TinyStories at
 * 256 tokens over all 847 windows unsharded, and over the first 128 windows at TP 2 {@code exact}, {@code fp16},
 * {@code int8-asym-g128} and TP 4 {@code exact}, with tensor-parallel experts and one all-reduce per sparse block.
 * Exact and fp16 to 1e-4 relative; int8 to 1e-3 (the reference quantizes in float64, we in fp32).
 */
@Slow
class ReferenceMoeTest {

    static final String TINYSTORIES = ReferenceTensorParallelTest.TINYSTORIES;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen3-moe-tiny", "qwen2-moe-tiny", "mixtral-tiny"})
    void unshardedPerplexityMatchesReference(String name) {
        JsonObject ref = Fixtures.reference(name).getAsJsonObject("ppl").getAsJsonObject("tinystories");
        String text = TextCorpus.plainText(Fixtures.shared(TINYSTORIES));
        try (ScoringModel lm = ModelLoader.load(Fixtures.shared("models/" + name), 1, List.of(Device.cpu()),
                DataType.FLOAT32)) {
            int[] ids = lm.tokenizer().encode(text);
            PerplexityRun run = PerplexityRun.measure(new PerplexityProtocol(256, 8), lm, CommSettings.of("exact"),
                    ids, TINYSTORIES, Progress.NONE, false);
            assertEquals(ref.get("windows").getAsInt(), run.result().windows(), "windows");
            assertEquals(ref.get("scored_tokens").getAsLong(), run.result().scoredTokens(), "scored tokens");
            double want = ref.get("ppl").getAsDouble();
            assertEquals(want, run.result().perplexity(), want * 1e-4, name + " perplexity");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen3-moe-tiny", "qwen2-moe-tiny", "mixtral-tiny"})
    void tensorParallelPerplexityMatchesReference(String name) {
        JsonObject ref = Fixtures.reference(name).getAsJsonObject("tp_ppl");
        JsonObject tp1 = Fixtures.reference(name).getAsJsonObject("ppl_first_128_windows");
        String text = TextCorpus.plainText(Fixtures.shared(TINYSTORIES));
        int windows = tp1.get("windows").getAsInt();
        for (int tp : new int[] {1, 2, 4}) {
            try (ScoringModel lm = ModelLoader.load(Fixtures.shared("models/" + name), tp, List.of(Device.cpu()),
                    DataType.FLOAT32)) {
                int[] ids = Arrays.copyOf(lm.tokenizer().encode(text), 256 * windows);
                List<String> formats = tp == 1 ? List.of("exact") : tp == 2
                        ? List.of("exact", "fp16", "int8-asym-g128") : List.of("exact");
                for (String format : formats) {
                    JsonObject expected = tp == 1 ? tp1 : ref.getAsJsonObject("tp" + tp + "/" + format);
                    PerplexityRun run = PerplexityRun.measure(new PerplexityProtocol(256, 8), lm,
                            CommSettings.of(format), ids, TINYSTORIES, Progress.NONE, false);
                    assertEquals(windows, run.result().windows(), "windows");
                    assertEquals(expected.get("scored_tokens").getAsLong(), run.result().scoredTokens());
                    double want = expected.get("ppl").getAsDouble();
                    double tol = format.startsWith("int") ? 1e-3 : 1e-4;
                    assertEquals(want, run.result().perplexity(), want * tol, name + " tp" + tp + " " + format);
                }
            }
        }
    }
}
