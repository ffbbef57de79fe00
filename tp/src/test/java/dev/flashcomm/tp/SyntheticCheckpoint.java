package dev.flashcomm.tp;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a small Llama checkpoint (config.json + one F32 model.safetensors) with seeded random weights, so tests can
 * make models that differ in one respect only, e.g. depth, without shipping files.
 *
 * @param layers decoder layers
 * @param scale  standard deviation of the projection weights (norm weights are 1); large values make fp16 overflow
 */
public record SyntheticCheckpoint(int layers, float scale) {

    public static final int HIDDEN = 64;
    public static final int HEADS = 4;
    public static final int KV_HEADS = 2;
    public static final int HEAD_DIM = 16;
    public static final int INTERMEDIATE = 96;
    public static final int VOCAB = 101;

    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        JsonObject c = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("LlamaForCausalLM");
        c.add("architectures", arch);
        c.addProperty("model_type", "llama");
        c.addProperty("hidden_size", HIDDEN);
        c.addProperty("intermediate_size", INTERMEDIATE);
        c.addProperty("num_hidden_layers", layers);
        c.addProperty("num_attention_heads", HEADS);
        c.addProperty("num_key_value_heads", KV_HEADS);
        c.addProperty("head_dim", HEAD_DIM);
        c.addProperty("vocab_size", VOCAB);
        c.addProperty("max_position_embeddings", 512);
        c.addProperty("rms_norm_eps", 1e-5);
        c.addProperty("rope_theta", 10000.0);
        c.addProperty("tie_word_embeddings", false);
        c.addProperty("hidden_act", "silu");
        c.addProperty("torch_dtype", "float32");
        Files.writeString(dir.resolve("config.json"), c.toString());
        SplittableRandom rnd = new SplittableRandom(42);
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        add(t, shapes, "model.embed_tokens.weight", rnd, 1f, VOCAB, HIDDEN);
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            add(t, shapes, p + "input_layernorm.weight", null, 1f, HIDDEN);
            add(t, shapes, p + "post_attention_layernorm.weight", null, 1f, HIDDEN);
            add(t, shapes, p + "self_attn.q_proj.weight", rnd, scale, HEADS * HEAD_DIM, HIDDEN);
            add(t, shapes, p + "self_attn.k_proj.weight", rnd, scale, KV_HEADS * HEAD_DIM, HIDDEN);
            add(t, shapes, p + "self_attn.v_proj.weight", rnd, scale, KV_HEADS * HEAD_DIM, HIDDEN);
            add(t, shapes, p + "self_attn.o_proj.weight", rnd, scale, HIDDEN, HEADS * HEAD_DIM);
            add(t, shapes, p + "mlp.gate_proj.weight", rnd, scale, INTERMEDIATE, HIDDEN);
            add(t, shapes, p + "mlp.up_proj.weight", rnd, scale, INTERMEDIATE, HIDDEN);
            add(t, shapes, p + "mlp.down_proj.weight", rnd, scale, HIDDEN, INTERMEDIATE);
        }
        add(t, shapes, "model.norm.weight", null, 1f, HIDDEN);
        add(t, shapes, "lm_head.weight", rnd, 0.1f, VOCAB, HIDDEN);
        writeSafetensors(dir.resolve("model.safetensors"), t, shapes);
        return dir;
    }

    private static void add(Map<String, float[]> t, Map<String, long[]> shapes, String name, SplittableRandom rnd,
                            float scale, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd == null ? scale : (float) (rnd.nextGaussian() * scale);
        }
        t.put(name, v);
        shapes.put(name, shape);
    }

    private static void writeSafetensors(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes)
            throws IOException {
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            JsonObject o = new JsonObject();
            o.addProperty("dtype", "F32");
            JsonArray dims = new JsonArray();
            for (long d : shapes.get(e.getKey())) {
                dims.add(d);
            }
            o.add("shape", dims);
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + 4L * e.getValue().length);
            o.add("data_offsets", off);
            header.add(e.getKey(), o);
            offset += 4L * e.getValue().length;
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(8 + h.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (float[] v : tensors.values()) {
            for (float f : v) {
                buf.putFloat(f);
            }
        }
        Files.write(file, buf.array());
    }
}
