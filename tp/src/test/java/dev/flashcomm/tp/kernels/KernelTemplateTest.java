package dev.flashcomm.tp.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.tp.kernels.FusedKernels.LayerFeatures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel template as shipped ({@link FusedKernels#TEMPLATE}); what its renderings mean is
 * KernelSourceGoldenTest's.
 */
class KernelTemplateTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.flashcomm.tp.kernels.KernelSourceGoldenTest#allFeatures")
    void renderingsHoldNoTagsAndNoPlaceholders(LayerFeatures f) {
        String source = FusedKernels.source(f);
        assertFalse(source.contains("{{") || source.contains("}}"), source);
        assertTrue(source.lines().noneMatch(line -> line.strip().equals("pass")), source);
        assertTrue(source.startsWith("# "), "the template opens with its why-comments");
        assertTrue(source.lines().anyMatch(line -> line.equals("class " + FusedKernels.CLASS_NAME + "(Module):")));
    }

    /** attention_partial and attention_cached are written with the same head; a change to one must reach both. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.flashcomm.tp.kernels.KernelSourceGoldenTest#allFeatures")
    void bothAttentionMethodsHaveTheSameHead(LayerFeatures f) {
        String source = FusedKernels.source(f);
        List<String> partial = head(source, "attention_partial");
        List<String> cached = head(source, "attention_cached");
        assertTrue(partial.size() > 8, partial.toString());
        assertEquals(partial, cached);
    }

    /** The def line up to {@code wo} (the method's name elided) and the body through rotary on q. */
    private static List<String> head(String source, String method) {
        List<String> lines = source.lines().toList();
        String def = "  def " + method + "(";
        int start = lines.stream().filter(l -> l.startsWith(def)).map(lines::indexOf).findFirst().orElseThrow();
        String signature = lines.get(start).substring(def.length());
        signature = signature.substring(0, signature.indexOf("wo: Tensor"));
        int end = start + 1;
        while (!lines.get(end).startsWith("    q = self.rotate(")) {
            end++;
        }
        List<String> head = new java.util.ArrayList<>(List.of(signature));
        head.addAll(lines.subList(start + 1, end + 1));
        return head;
    }

    /** A tag whose name is no feature fails the whole template at parse, naming the line. */
    @Test
    void anUnknownFeatureInTheShippedTemplateNamesItsLine() throws IOException {
        String text;
        try (InputStream in = FusedKernels.class.getResourceAsStream(FusedKernels.TEMPLATE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String typo = text.replace("{{#qk_norm}}", "{{#qknorm}}").replace("{{/qk_norm}}", "{{/qknorm}}");
        assertNotEquals(text, typo);
        List<String> lines = typo.lines().toList();
        int line = 1 + lines.indexOf(lines.stream().filter(l -> l.contains("{{#qknorm}}")).findFirst().orElseThrow());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ScriptTemplate.parse("k.py.template", typo, LayerFeatures.FLAGS));
        assertTrue(e.getMessage().startsWith("k.py.template line " + line + ": unknown feature 'qknorm' (known: "
                + "mlp_bias, qk_norm, qkv_bias): "), e.getMessage());
    }
}
