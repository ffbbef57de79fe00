package dev.flashcomm.tp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.model.ShardPlan;
import dev.flashcomm.tp.model.TransformerModel;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The unsharded forward pass against Hugging Face transformers' float64 outputs. */
class ReferenceForwardTest {

    static final Communicator EXACT = (partials, layer, site) -> {
        NDArray s = partials.get(0);
        for (int r = 1; r < partials.size(); r++) {
            s = s.add(partials.get(r));
        }
        return s;
    };

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K", "llama3-tiny", "qwen2-tiny", "qwen3-tiny"})
    void tokenIdsMatchReference(String name) {
        JsonObject ref = Fixtures.reference(name);
        try (ModelTokenizer tok = ModelTokenizer.load(Fixtures.model(name))) {
            for (Map.Entry<String, com.google.gson.JsonElement> e : ref.getAsJsonObject("token_ids").entrySet()) {
                assertArrayEquals(ints(e.getValue().getAsJsonArray()), tok.encode(e.getKey()), e.getKey());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K", "llama3-tiny", "qwen2-tiny", "qwen3-tiny"})
    void logProbsMatchReference(String name) {
        JsonObject ref = Fixtures.reference(name);
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        try (ModelTokenizer tok = ModelTokenizer.load(Fixtures.model(name));
             TransformerModel model = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), 1),
                     List.of(Device.cpu()), DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            int[] ids = tok.encode(ref.get("prompt").getAsString());
            NDArray logits = model.logits(step.create(ids, new Shape(1, ids.length)), EXACT);
            float[] lp = logits.logSoftmax(2).toFloatArray();
            int vocab = ck.config().vocabSize();
            JsonArray next = ref.getAsJsonArray("next_token_logprobs");
            assertEquals(ids.length - 1, next.size());
            for (int t = 0; t + 1 < ids.length; t++) {
                assertEquals(next.get(t).getAsDouble(), lp[t * vocab + ids[t + 1]], 1e-4, "position " + t);
            }
            JsonArray last = ref.getAsJsonArray("last_position_logprobs");
            int off = (ids.length - 1) * vocab;
            for (int v = 0; v < vocab; v++) {
                assertEquals(last.get(v).getAsDouble(), lp[off + v], 2e-4, "token " + v);
            }
        }
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
