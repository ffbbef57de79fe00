package dev.flashcomm.tp.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScriptTemplateTest {

    private static final Set<String> FLAGS = Set.of("x", "y");

    private static ScriptTemplate parse(String text) {
        return ScriptTemplate.parse("t.py", text, FLAGS);
    }

    @Test
    void inlineSectionsKeepOrDropTheirText() {
        ScriptTemplate t = parse("def f(a, {{#x}}b, {{/x}}{{#y}}c, {{/y}}d):\n");
        assertEquals("def f(a, b, c, d):\n", t.render(Set.of("x", "y")));
        assertEquals("def f(a, c, d):\n", t.render(Set.of("y")));
        assertEquals("def f(a, d):\n", t.render(Set.of()));
    }

    @Test
    void blockTagLinesAreDroppedAndTheirSectionsSpanLines() {
        ScriptTemplate t = parse("one\n    {{#x}}\ntwo\n  {{#y}}\nthree {{#x}}and{{/x}} four\n  {{/y}}\n"
                + "    {{/x}}\nfive\n");
        assertEquals("one\ntwo\nthree and four\nfive\n", t.render(Set.of("x", "y")));
        assertEquals("one\ntwo\nfive\n", t.render(Set.of("x")));
        assertEquals("one\nfive\n", t.render(Set.of("y")));
        assertEquals("one\nfive\n", t.render(Set.of()));
    }

    @Test
    void textWithoutTagsRendersAsIsWithLinesEnded() {
        assertEquals("a\n  b # c\n", parse("a\r\n  b # c").render(Set.of()));
    }

    @Test
    void renderingAFlagTheTemplateDoesNotKnowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> parse("a\n").render(Set.of("z")));
    }

    /**
     * Each names its template and line (text: {@code \n} for a newline). Names are checked when parsing, so a typo
     * fails even where its section would be dropped.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "ok\\n  {{#z}}\\nbody\\n  {{/z}}\\n|2|unknown feature 'z' (known: x, y): {{#z}}",
        "ok\\nok\\ndef f(a, {{#x}}b, {{/x}}{{#qkv}}c, {{/qkv}}):\\n|3|unknown feature 'qkv'",
        "a {{#x}} b\\n|1|{{#x}} is not closed on its line",
        "{{#x}}\\na {{/x}} b\\n{{/x}}\\n|2|{{/x}} closes no section opened on its line",
        "{{#x}}\\n{{#y}}\\n{{/x}}\\n{{/y}}\\n|3|{{/x}} does not close the innermost open section ({{#y}} of line 2)",
        "a\\n{{/x}}\\n|2|(none is open)",
        "a\\n{{#x}}\\nb\\n|2|{{#x}} is never closed",
        "a\\nb {{#x} c\\n|2|braces that are no",
        "a\\n{{ #x }}\\n|2|braces that are no",
    })
    void malformedTemplatesNameTheLine(String text, int line, String message) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> parse(text.replace("\\n", "\n")));
        assertTrue(e.getMessage().startsWith("t.py line " + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aMissingResourceIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ScriptTemplate.load(ScriptTemplateTest.class, "no_such.py.template", FLAGS));
        assertEquals("resource dev/flashcomm/tp/kernels/no_such.py.template is not on the classpath", e.getMessage());
    }

    @Test
    void anUnreadableResourceIsNamed() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk gone");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ScriptTemplate.read("dev/x/k.py.template", broken, FLAGS));
        assertEquals("resource dev/x/k.py.template could not be read: disk gone", e.getMessage());
        assertInstanceOf(IOException.class, e.getCause());
    }

    @Test
    void aResourceThatIsNotUtf8IsNamed() {
        byte[] latin1 = {'a', (byte) 0xe9, '\n'};
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ScriptTemplate.read("dev/x/k.py.template", new ByteArrayInputStream(latin1), FLAGS));
        assertEquals("resource dev/x/k.py.template is not UTF-8 text", e.getMessage());
    }
}
