package dev.flashcomm.eval.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.lm.ModelLoader;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.comm.CommImpl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Where the model is and how it runs: shared by every command that evaluates a model. */
public final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory (config.json, *.safetensors, tokenizer.json)")
    Path dir;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEV[,DEV...]",
            description = "device(s) for the TP ranks: cpu, gpu, gpu:N; rank r goes on device r mod count "
                    + "(default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "fp32", converter = Converters.ComputeType.class, paramLabel = "fp32|fp16",
            description = "compute dtype; independent of the checkpoint's storage dtype (default: ${DEFAULT-VALUE})")
    DataType computeType;

    @Option(names = "--comm-impl", defaultValue = "engine", converter = Converters.Impl.class, paramLabel = "engine|host",
            description = "where the all-reduce numerics run: engine (ops on the partials' devices, no host copies) or "
                    + "host (the pure-Java reference; slow; bit-identical on CPU fp32) (default: ${DEFAULT-VALUE})")
    CommImpl commImpl;

    public List<Device> devices() {
        try {
            return Engines.parseDevices(device);
        } catch (IllegalArgumentException e) {
            throw new InputException("--device: " + e.getMessage());
        }
    }

    /**
     * Loads the model at {@code tp}: a progress bar (in MiB of weights) on {@code err} when it is a terminal, and the
     * load time on {@code out}; stderr stays free for the one-line errors bad input gets.
     */
    public ScoringModel load(int tp, PrintWriter out, PrintWriter err) {
        List<Device> devices = devices();
        boolean interactive = System.console() != null;
        ProgressBar bar = new ProgressBar(err, "load " + modelName(), "MiB", true);
        long start = System.nanoTime();
        ScoringModel lm = ModelLoader.load(dir, tp, devices, computeType, commImpl, interactive
                ? (name, done, total) -> bar.update(done >> 20, total >> 20) : (name, done, total) -> { });
        out.printf(Locale.ROOT, "load        %s at TP %d on %s (%s): %.1f s%n", lm.name(), tp, device,
                dtypeName(), (System.nanoTime() - start) / 1e9);
        out.flush();
        return lm;
    }

    /** The compute dtype as {@code --dtype} spells it. */
    public String dtypeName() {
        return computeType == DataType.FLOAT16 ? "fp16" : "fp32";
    }

    public String modelName() {
        return ModelLoader.modelName(dir);
    }
}
