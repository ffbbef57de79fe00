package dev.flashcomm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.flashcomm.datasets.TextCorpus;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.ppl.PerplexityProtocol;
import dev.flashcomm.eval.ppl.PerplexityResult;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.FormatCommunicator;
import dev.flashcomm.tp.comm.TrafficMeter;
import dev.flashcomm.tp.model.ShardPlan;
import dev.flashcomm.tp.model.TransformerModel;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GPTQ-protocol perplexity on TinyStories at 256 tokens, unsharded, against transformers (float64). */
@Slow
class ReferencePerplexityTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K", "llama3-tiny", "qwen2-tiny", "qwen3-tiny"})
    void tinyStoriesPerplexityMatchesReference(String name) {
        JsonObject ref = Fixtures.reference(name).getAsJsonObject("ppl").getAsJsonObject("tinystories");
        Path dir = Fixtures.shared("models/" + name);
        String text = TextCorpus.plainText(Fixtures.shared("data/tinystories/tinystories_val_prefix.txt"));
        Checkpoint ck = Checkpoint.open(dir);
        try (ScoringModel model = new ScoringModel(name, TransformerModel.load(ck, ShardPlan.balanced(ck.config(), 1),
                List.of(Device.cpu()), DataType.FLOAT32), ModelTokenizer.load(dir))) {
            int[] ids = model.tokenizer().encode(text);
            assertEquals(ref.get("tokens").getAsLong(), ids.length, "encoded corpus length");
            PerplexityResult r = new PerplexityProtocol(256, 8).evaluate(model,
                    new FormatCommunicator(CommSettings.of("exact"), new TrafficMeter(), null), ids, "tinystories",
                    Progress.NONE);
            assertEquals(ref.get("windows").getAsInt(), r.windows());
            assertEquals(ref.get("scored_tokens").getAsLong(), r.scoredTokens());
            double expected = ref.get("ppl").getAsDouble();
            assertEquals(expected, r.perplexity(), expected * 1e-4, "perplexity");
        }
    }
}
