package dev.flashcomm.eval.cli;

import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommPreset;
import dev.flashcomm.tp.comm.CommPresets;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.CompressionScope;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flashcomm presets}: the production all-reduce kernels this tool can imitate, with what each one does. */
@Command(name = "presets", mixinStandardHelpOptions = true,
        description = "Lists the presets --comm accepts: each bundles a format, the reduce step's accumulation "
                + "dtype, the activations' cast and the message sizes that are compressed, with its public source.")
public final class PresetsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (CommPreset p : CommPresets.all()) {
            // the same resolution and text as results' SETTINGS column, so what is listed is what runs
            CommSettings s = CommSettings.resolve(CommChoice.parse(p.name()), CommPath.FAKE, CompressionScope.ALL,
                    null, null, null);
            out.println(p.name());
            out.println("  format      " + s.format().name());
            out.println("  accumulate  " + s.accumulation().id());
            out.println("  cast        " + s.cast().label());
            out.println("  min bytes   " + s.threshold().label() + (s.threshold().byTp().isEmpty() ? ""
                    : " (other TP degrees: never compressed)"));
            out.println("  fallback    " + s.fallbackFormat().name());
            out.println("  source      " + p.source());
            out.println("  notes       " + p.notes());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
