package dev.flashcomm.eval.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.Slow;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Greedy continuations against Hugging Face transformers' own: {@code golden/hf-greedy.json} holds 24 greedy tokens
 * after each of seven prompts for the four tiny checkpoints, made by {@code golden/hf_greedy.py} (transformers 5.17,
 * torch 2.11, fp32 on a CPU, eager attention, its KV cache; each prompt alone, and the same tokens again from one
 * left-padded {@code generate()} batch). With exact communication flashcomm must give the same tokens at TP 1, 2
 * and 4, alone and in a left-padded batch of all seven, and the chosen tokens' log-probs within 1e-4, the tolerance
 * the reference tests hold the forward to.
 */
@Slow
class HfGreedyGoldenTest {

    private static final JsonObject GOLDEN = load();

    private static JsonObject load() {
        try (InputStream in = HfGreedyGoldenTest.class.getResourceAsStream("/golden/hf-greedy.json")) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0} tp {1} batch {2}")
    @CsvSource({"llama3-tiny, 1, 1", "llama3-tiny, 2, 7", "llama3-tiny, 4, 3", "qwen2-tiny, 1, 7", "qwen2-tiny, 2, 1",
        "qwen2-tiny, 4, 7", "qwen3-tiny, 2, 7", "qwen3-tiny, 4, 1", "stories260K, 1, 7", "stories260K, 2, 2",
        "stories260K, 4, 7"})
    void greedyTokensEqualTransformers(String name, int tp, int batch) {
        JsonObject golden = GOLDEN.getAsJsonObject("models").getAsJsonObject(name);
        JsonArray prompts = GOLDEN.getAsJsonArray("prompts");
        int n = GOLDEN.get("new_tokens").getAsInt();
        try (ScoringModel m = ModelLoader.load(GeneratorTest.model(name), tp, List.of(TestDevice.get()),
                DataType.FLOAT32)) {
            List<GenerationRequest> requests = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int[] ids = m.tokenizer().encode(prompts.get(i).getAsString());
                assertArrayEquals(ints(golden.getAsJsonArray("prompt_ids").get(i).getAsJsonArray()), ids,
                        "prompt " + i + " tokenization");
                requests.add(GenerationRequest.of(ids, n));
            }
            List<Generation> got = new Generator(m, batch).generate(requests, GeneratorTest.communicator("exact"),
                    Progress.NONE);
            for (int i = 0; i < requests.size(); i++) {
                JsonArray want = golden.getAsJsonArray("new_ids").get(i).getAsJsonArray();
                assertArrayEquals(ints(want), got.get(i).newIds(), name + " prompt " + i);
                JsonArray lp = golden.getAsJsonArray("log_probs").get(i).getAsJsonArray();
                for (int t = 0; t < n; t++) {
                    assertEquals(lp.get(t).getAsDouble(), got.get(i).logProbs()[t], 1e-4,
                            name + " prompt " + i + " token " + t);
                }
            }
        }
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
