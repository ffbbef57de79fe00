package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import java.nio.file.Path;

/**
 * Times one load for measurements on another machine: {@code LoadTimeMain DIR DEVICES DTYPE TP old|new}, e.g.
 * {@code /tmp/m8b gpu fp16 1 new}. Prints one line with the wall-clock seconds (the engine is warmed first).
 */
public final class LoadTimeMain {

    private LoadTimeMain() {
    }

    public static void main(String[] args) {
        var devices = Engines.parseDevices(args[1]);
        DataType type = args[2].equals("fp16") ? DataType.FLOAT16 : DataType.FLOAT32;
        int tp = Integer.parseInt(args[3]);
        try (NDManager warm = Engines.newRootManager(devices.get(0))) {
            warm.ones(new Shape(4)).toFloatArray();
        }
        Checkpoint ck = Checkpoint.open(Path.of(args[0]));
        ShardPlan plan = ShardPlan.balanced(ck.config(), tp);
        long t0 = System.nanoTime();
        if (args[4].equals("old")) {
            ModelWeights w = new ModelWeights(ck.config(), plan, devices, type);
            new HostTensorLoader(w).load(ck);
            TransformerModel.from(w).close();
        } else {
            long[] last = {0};
            try (TransformerModel m = TransformerModel.load(ck, plan, devices, type,
                    (name, done, total) -> last[0] = done)) {
                System.out.printf("loaded %.2f GB%n", last[0] / 1e9);
            }
        }
        System.out.printf("LOADTIME %s %s %s tp=%d %s: %.2f s%n", args[0], args[1], args[2], tp, args[4],
                (System.nanoTime() - t0) / 1e9);
    }
}
