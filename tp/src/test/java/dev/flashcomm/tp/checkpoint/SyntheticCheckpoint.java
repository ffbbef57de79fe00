package dev.flashcomm.tp.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a Llama-shaped model directory with random BF16 weights (config.json plus one model.safetensors), one
 * tensor at a time so that a checkpoint of any size needs only a small buffer. For load-speed measurements.
 */
public final class SyntheticCheckpoint {

    private SyntheticCheckpoint() {
    }

    /** Writes {@code dir}; about {@code 12·L·H² + 2·V·H} parameters with the default MLP of 8/3 · H. */
    public static void writeLlama(Path dir, int hidden, int layers, int heads, int kvHeads, int inter, int vocab,
                                  long seed) throws IOException {
        writeLlama(dir, hidden, layers, heads, kvHeads, inter, vocab, seed, (float) (1 / Math.sqrt(hidden)));
    }

    /**
     * As {@link #writeLlama(Path, int, int, int, int, int, int, long)}, with weights uniform in {@code ±scale}
     * (norms are 1); a large scale makes activations outgrow fp16 while RMSNorm keeps fp32 finite.
     */
    public static void writeLlama(Path dir, int hidden, int layers, int heads, int kvHeads, int inter, int vocab,
                                  long seed, float scale) throws IOException {
        Files.createDirectories(dir);
        int d = hidden / heads;
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], "
                + "\"model_type\": \"llama\", \"hidden_size\": " + hidden + ", \"intermediate_size\": " + inter
                + ", \"num_hidden_layers\": " + layers + ", \"num_attention_heads\": " + heads
                + ", \"num_key_value_heads\": " + kvHeads + ", \"head_dim\": " + d + ", \"vocab_size\": " + vocab
                + ", \"max_position_embeddings\": 2048, \"rms_norm_eps\": 1e-05, \"rope_theta\": 500000.0, "
                + "\"tie_word_embeddings\": false, \"hidden_act\": \"silu\", \"attention_bias\": false, "
                + "\"mlp_bias\": false, \"torch_dtype\": \"bfloat16\"}\n", StandardCharsets.UTF_8);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {vocab, hidden});
        shapes.put("lm_head.weight", new long[] {vocab, hidden});
        shapes.put("model.norm.weight", new long[] {hidden});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {hidden});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {hidden});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {(long) heads * d, hidden});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {(long) kvHeads * d, hidden});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {(long) kvHeads * d, hidden});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {hidden, (long) heads * d});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {inter, hidden});
            shapes.put(p + "mlp.up_proj.weight", new long[] {inter, hidden});
            shapes.put(p + "mlp.down_proj.weight", new long[] {hidden, inter});
        }
        writeBf16(dir.resolve("model.safetensors"), shapes, seed, scale);
    }

    /** Random BF16 values uniform in {@code ±scale} (norms are 1). */
    static void writeBf16(Path file, Map<String, long[]> shapes, long seed, float scale) throws IOException {
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long n = 1;
            JsonArray shape = new JsonArray();
            for (long s : e.getValue()) {
                n *= s;
                shape.add(s);
            }
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "BF16");
            t.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + 2 * n);
            t.add("data_offsets", off);
            header.add(e.getKey(), t);
            offset += 2 * n;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom rnd = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            buf.putLong(json.length).put(json);
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                boolean norm = e.getValue().length == 1;
                long n = 1;
                for (long s : e.getValue()) {
                    n *= s;
                }
                for (long i = 0; i < n; i++) {
                    if (buf.remaining() < 2) {
                        drain(ch, buf);
                    }
                    float v = norm ? 1f : (float) (rnd.nextDouble() * 2 - 1) * scale;
                    buf.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                }
            }
            drain(ch, buf);
        }
    }

    private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        buf.clear();
    }
}
