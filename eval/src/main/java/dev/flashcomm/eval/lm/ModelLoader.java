package dev.flashcomm.eval.lm;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.comm.CommImpl;
import dev.flashcomm.tp.model.LoadListener;
import dev.flashcomm.tp.model.MoeParallel;
import dev.flashcomm.tp.model.ShardPlan;
import dev.flashcomm.tp.model.TransformerModel;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.List;

/** Opens a model directory as a {@link ScoringModel}: config, weights split over {@code tp} ranks, tokenizer. */
public final class ModelLoader {

    private ModelLoader() {
    }

    /** The caller closes the result. Bad input (files, TP degree) surfaces as a one-line exception. */
    public static ScoringModel load(Path dir, int tp, List<Device> devices, DataType computeType) {
        return load(dir, tp, devices, computeType, CommImpl.ENGINE);
    }

    /** As {@link #load(Path, int, List, DataType)}, with where the all-reduces run. */
    public static ScoringModel load(Path dir, int tp, List<Device> devices, DataType computeType, CommImpl commImpl) {
        return load(dir, tp, devices, computeType, commImpl, LoadListener.NONE);
    }

    /** As {@link #load(Path, int, List, DataType, CommImpl)}, telling {@code listener} as tensors are loaded. */
    public static ScoringModel load(Path dir, int tp, List<Device> devices, DataType computeType, CommImpl commImpl,
                                    LoadListener listener) {
        return load(Checkpoint.open(dir), tp, devices, computeType, commImpl, listener);
    }

    /** As {@link #load(Path, int, List, DataType, CommImpl, LoadListener)}, from a checkpoint already opened. */
    public static ScoringModel load(Checkpoint ck, int tp, List<Device> devices, DataType computeType,
                                    CommImpl commImpl, LoadListener listener) {
        return load(ck, tp, MoeParallel.TP, devices, computeType, commImpl, listener);
    }

    /** As above, with a mixture-of-experts model's experts placed as {@code moe} says. */
    public static ScoringModel load(Checkpoint ck, int tp, MoeParallel moe, List<Device> devices,
                                    DataType computeType, CommImpl commImpl, LoadListener listener) {
        Path dir = ck.dir();
        ShardPlan plan;
        try {
            plan = ShardPlan.balanced(ck.config(), tp, moe);
        } catch (IllegalArgumentException e) {
            throw new InputException(dir.resolve("config.json") + ": " + e.getMessage());
        }
        ModelTokenizer tokenizer = ModelTokenizer.load(dir, ck.config().vocabSize());
        try {
            return new ScoringModel(modelName(dir), TransformerModel.load(ck, plan, devices, computeType, listener),
                    tokenizer,
                    commImpl);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The name results tables use for a model: its directory's name. */
    public static String modelName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? dir.toString() : name.toString();
    }
}
