package dev.flashcomm.tp.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.flashcomm.tp.kernels.FusedKernels.LayerFeatures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TorchScript source {@link FusedKernels#source} writes for each of the 8 {@link LayerFeatures}, against
 * goldens under {@code golden/}: {@code source(f)} as it was written by Java string literals at 4900405, before the
 * source became a template, dumped verbatim (with the {@code pass} lines that stood for a missing feature), and since
 * then the intended additions (the mixture-of-experts methods {@code moe_experts} and {@code expert_rows}).
 *
 * <p>The comparison is semantic up to a normalisation that removes only lines with no effect on the compiled
 * module: blank lines, whole-line {@code #} comments, and {@code pass} statements (in these goldens every
 * {@code pass} shares its block with other statements, where it is a no-op). Every other line must match exactly,
 * indentation included, in order. After an intended change to the kernels, rewrite the golden with the new
 * rendering.
 */
class KernelSourceGoldenTest {

    static Stream<LayerFeatures> allFeatures() {
        return IntStream.range(0, 8).mapToObj(i -> new LayerFeatures((i & 1) != 0, (i & 2) != 0, (i & 4) != 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allFeatures")
    void sourceMatchesTheGolden(LayerFeatures f) throws IOException {
        String golden = golden(f);
        assertEquals(normalise(golden), normalise(FusedKernels.source(f)), goldenName(f));
    }

    /** The normalisation keeps what tells the features apart: no two goldens normalise alike. */
    @Test
    void goldensDifferPerFeatures() throws IOException {
        List<List<String>> all = new ArrayList<>();
        for (LayerFeatures f : allFeatures().toList()) {
            all.add(normalise(golden(f)));
        }
        assertEquals(8, new HashSet<>(all).size());
    }

    /** The lines that reach the compiled module, in order (see the class comment). */
    static List<String> normalise(String source) {
        return source.lines()
                .filter(line -> !line.isBlank())
                .filter(line -> !line.strip().startsWith("#"))
                .filter(line -> !line.strip().equals("pass"))
                .toList();
    }

    static String golden(LayerFeatures f) throws IOException {
        String name = goldenName(f);
        try (InputStream in = KernelSourceGoldenTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code golden/source-plain.py}, or the features present: {@code golden/source-qkv_bias-qk_norm.py}. */
    static String goldenName(LayerFeatures f) {
        StringBuilder name = new StringBuilder("golden/source");
        if (f.qkvBias()) {
            name.append("-qkv_bias");
        }
        if (f.qkNorm()) {
            name.append("-qk_norm");
        }
        if (f.mlpBias()) {
            name.append("-mlp_bias");
        }
        return (name.toString().equals("golden/source") ? "golden/source-plain" : name) + ".py";
    }
}
