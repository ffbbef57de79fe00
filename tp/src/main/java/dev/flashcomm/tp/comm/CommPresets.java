package dev.flashcomm.tp.comm;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The presets: the quantized all-reduces production engines run, each a bundle of this tool's options. The facts
 * were read from the engines' public code and documentation (named in {@link CommPreset#source()} and the README);
 * no code was copied.
 */
public final class CommPresets {

    private static final long MB = 1024L * 1024L;
    private static final String QR_SOURCE = "vLLM vllm/distributed/device_communicators/quick_all_reduce.py "
            + "(_QR_MIN_SIZE, VLLM_ROCM_QUICK_REDUCE_CAST_BF16_TO_FP16) and csrc/quickreduce/quick_reduce_impl.cuh "
            + "(CodecQ8/Q6/Q4: one fp16 scale per 32 values, fp16 arithmetic)";
    private static final String QR_NOTES = "QuickReduce codes -2^(b-1)..2^(b-1)-1 with a negative scale "
            + "-absmax/2^(b-1) and multiplies by a reciprocal in fp16; modelled here as symmetric -qmax..qmax with "
            + "s = R16(absmax/qmax). Sizes are vLLM's fp16 rows (the bf16->fp16 cast makes the kernel fp16); TP "
            + "degrees other than 2, 4, 8 are not supported by QuickReduce and never compress.";

    private static final List<CommPreset> ALL = List.of(
            quickReduce("quickreduce-int8", "int8-sym-g32", 2 * MB, 16 * MB, 4 * MB),
            quickReduce("quickreduce-int6", "int6:6-sym-g32", 2 * MB, 4 * MB, 4 * MB),
            quickReduce("quickreduce-int4", "int4-sym-g32", 1 * MB, 2 * MB, 2 * MB),
            new CommPreset("trtllm-fp8", CommFormat.parse("fp8-e4m3-g496-sfp32"), Accumulation.BF16,
                    CommCast.parse("bf16"), CompressThreshold.NONE,
                    "TensorRT-LLM docs, Low-Precision-AllReduce (legacy/advanced/lowprecision-pcie-allreduce): per "
                            + "warp 31 threads quantize 496 values to FP8 e4m3 and the last sends one scalar; "
                            + "received data is dequantized back to the input precision, then reduced",
                    "the scale's dtype is not documented (fp32 assumed); the sum is taken in the input's bf16"),
            new CommPreset("flashinfer-fp8", CommFormat.parse("fp8-e4m3-g256-sfp32"), Accumulation.FP32,
                    CommCast.parse("bf16"), CompressThreshold.NONE,
                    "FlashInfer docs, flashinfer.comm.quantized_all_reduce: FP8 E4M3 two-shot all-reduce of BF16 "
                            + "input with per-block scales, scale_group default 256",
                    "fp32 scales and fp32 sums as the issue describes them; the docs recommend it for tensors of "
                            + "2 MB and more but enforce no size"),
            paper("flashcomm-int8", "int8-asym-g128"),
            paper("flashcomm-int6", "int6-asym-g128"),
            paper("flashcomm-int4", "int4-asym-g128"),
            new CommPreset("deepep-ll", CommFormat.BF16, Accumulation.FP32, CommCast.parse("bf16"),
                    CompressThreshold.NONE,
                    "DeepEP csrc/kernels/internode_ll.cu and utils.cuh (low-latency dispatch with use_fp8: per token, "
                            + "each 128 channels cast to FP8 e4m3 with one fp32 scale amax/448; combine sends bf16), "
                            + "and its README (low-latency kernels for inference decoding)",
                    "the all-reduces (attention, dense layers) are bf16; DeepEP floors a group's amax at 1e-4, "
                            + "here an all-zero group gets scale 1 and a tiny one its own amax; UE8M0 scales and "
                            + "LogFMT combine are other options of the kernel (use --dispatch-comm "
                            + "fp8-e4m3-g128-se8m0)", CommFormat.parse("fp8-e4m3-g128-sfp32"), CommFormat.BF16),
            new CommPreset("flashcomm2-int2", CommFormat.parse("int2-asym-g128-spike"), Accumulation.FP32,
                    CommCast.NONE, CompressThreshold.NONE,
                    "FlashCommunication V2 (spike reserving: each group's min and max kept at full precision)",
                    "spikes travel as fp16 values with 1-byte positions (2-byte for groups over 256); the group "
                            + "size is this tool's default"));

    private CommPresets() {
    }

    private static CommPreset quickReduce(String name, String format, long tp2, long tp4, long tp8) {
        return new CommPreset(name, CommFormat.parse(format), Accumulation.FP16, CommCast.parse("bf16>fp16:inf"),
                CompressThreshold.perTp(Map.of(2, tp2, 4, tp4, 8, tp8)), QR_SOURCE, QR_NOTES);
    }

    private static CommPreset paper(String name, String format) {
        return new CommPreset(name, CommFormat.parse(format), Accumulation.FP32, CommCast.NONE, CompressThreshold.NONE,
                "Flash Communication (Li et al. 2024) and docs/flash-allreduce.md: this tool's defaults",
                "fp32 partials, fp32 sums, every message compressed");
    }

    public static List<CommPreset> all() {
        return ALL;
    }

    /** The preset of that name (case-insensitive). */
    public static Optional<CommPreset> find(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return ALL.stream().filter(p -> p.name().equals(n)).findFirst();
    }

    /** The preset names, comma-separated, for error messages. */
    public static String names() {
        return String.join(", ", ALL.stream().map(CommPreset::name).toList());
    }
}
