package dev.flashcomm.eval.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The one model of a command that evaluates a single model ({@code ppl}, {@code bench}); {@code sweep} takes many. */
public final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory (config.json, *.safetensors, tokenizer.json)")
    Path dir;
}
