package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.sweep.SweepConfig;
import picocli.CommandLine.Option;

/** {@code --seed}, as lm-eval users expect it: what the comparison with the baseline draws random numbers from. */
public final class SeedOption {

    @Option(names = "--seed", defaultValue = "" + SweepConfig.DEFAULT_SEED, paramLabel = "N",
            description = "seed of the paired bootstrap that tests perplexity changes against the baseline; "
                    + "scoring itself is deterministic and items are always the first ones (default: "
                    + "${DEFAULT-VALUE})")
    long seed;
}
