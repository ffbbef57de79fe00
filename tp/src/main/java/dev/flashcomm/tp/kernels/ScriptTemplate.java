package dev.flashcomm.tp.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A source text whose sections are kept or dropped by named flags: how the kernel source (a classpath resource)
 * varies with a model's layer features. Kept to one rule on purpose, instead of a template library:
 *
 * <ul>
 *   <li>{@code {{#name}}} opens a section and {@code {{/name}}} closes it; its text stays when flag {@code name} is
 *       on and goes when it is off. Sections nest; text stays only when every enclosing flag is on.</li>
 *   <li>A line holding one tag and nothing else but spaces is a <em>block</em> tag: the line itself is dropped
 *       always, and the section spans whole lines up to its block close tag.</li>
 *   <li>Any other tag is <em>inline</em>: its section opens and closes on the same line (a signature's optional
 *       parameters), and the line's newline stays with the line.</li>
 * </ul>
 *
 * The text is parsed once, when read, and every name checked against the flags there are, so a typo fails at load
 * even for a model that would not have rendered the section. Errors are {@link IllegalStateException}s naming the
 * template and line: a template is part of the build, so a bad one is a bug to fix, not an input to tolerate.
 */
final class ScriptTemplate {

    private static final Pattern TAG = Pattern.compile("\\{\\{([#/])([A-Za-z_][A-Za-z0-9_]*)}}");
    private static final Pattern BLOCK_TAG = Pattern.compile("\\s*" + TAG.pattern() + "\\s*");

    /** Text to emit when every one of {@code sections} is on. */
    private record Piece(String text, List<String> sections) {
    }

    /** An open section: its flag and the line it opened on. */
    private record Open(String name, int line) {
    }

    private final String where;
    private final Set<String> flags;
    private final List<Piece> pieces;

    private ScriptTemplate(String where, Set<String> flags, List<Piece> pieces) {
        this.where = where;
        this.flags = flags;
        this.pieces = pieces;
    }

    /**
     * Reads resource {@code name} next to {@code anchor}'s class file.
     *
     * @param flags the section names the template may use
     * @throws IllegalStateException naming the resource when it is missing or unreadable, or naming the line of a
     *                               malformed or unknown tag
     */
    static ScriptTemplate load(Class<?> anchor, String name, Set<String> flags) {
        String where = anchor.getPackageName().replace('.', '/') + "/" + name;
        InputStream in = anchor.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("resource " + where + " is not on the classpath");
        }
        return read(where, in, flags);
    }

    /** As {@link #load}, from a stream it closes; {@code where} names it in errors. */
    static ScriptTemplate read(String where, InputStream in, Set<String> flags) {
        String text;
        try (in) {
            // strict UTF-8: a corrupt resource fails here rather than compiling with replacement characters
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in.readAllBytes())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("resource " + where + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new IllegalStateException("resource " + where + " could not be read: " + e.getMessage(), e);
        }
        return parse(where, text, flags);
    }

    /** A template of {@code text}; {@code where} names it in errors. */
    static ScriptTemplate parse(String where, String text, Set<String> flags) {
        List<Piece> pieces = new ArrayList<>();
        Deque<Open> open = new ArrayDeque<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i);
            Matcher block = BLOCK_TAG.matcher(line);
            if (block.matches()) {
                tag(where, number, line, block.group(1), block.group(2), flags, open);
                continue;
            }
            int depth = open.size();
            Matcher tag = TAG.matcher(line);
            int from = 0;
            while (tag.find()) {
                text(where, number, line, line.substring(from, tag.start()), open, pieces);
                if (tag.group(1).equals("/") && open.size() == depth) {
                    throw error(where, number, line, "{{/" + tag.group(2) + "}} closes no section opened on its line"
                            + " (a section over whole lines closes with a tag on a line of its own)");
                }
                tag(where, number, line, tag.group(1), tag.group(2), flags, open);
                from = tag.end();
            }
            text(where, number, line, line.substring(from), open, pieces);
            if (open.size() > depth) {
                throw error(where, number, line, "{{#" + open.peek().name() + "}} is not closed on its line"
                        + " (a section over whole lines opens with a tag on a line of its own)");
            }
            pieces.add(new Piece("\n", names(open)));
        }
        if (!open.isEmpty()) {
            Open o = open.peek();
            throw error(where, o.line(), lines.get(o.line() - 1), "{{#" + o.name() + "}} is never closed");
        }
        return new ScriptTemplate(where, Set.copyOf(flags), List.copyOf(pieces));
    }

    private static void tag(String where, int number, String line, String kind, String name, Set<String> flags,
                            Deque<Open> open) {
        if (!flags.contains(name)) {
            throw error(where, number, line, "unknown feature '" + name + "' (known: "
                    + String.join(", ", new TreeSet<>(flags)) + ")");
        }
        if (kind.equals("#")) {
            open.push(new Open(name, number));
            return;
        }
        Open o = open.peek();
        if (o == null || !o.name().equals(name)) {
            throw error(where, number, line, "{{/" + name + "}} does not close the innermost open section"
                    + (o == null ? " (none is open)" : " ({{#" + o.name() + "}} of line " + o.line() + ")"));
        }
        open.pop();
    }

    private static void text(String where, int number, String line, String text, Deque<Open> open,
                             List<Piece> pieces) {
        if (text.contains("{{") || text.contains("}}")) {
            throw error(where, number, line, "braces that are no {{#feature}} or {{/feature}} tag");
        }
        if (!text.isEmpty()) {
            pieces.add(new Piece(text, names(open)));
        }
    }

    private static List<String> names(Deque<Open> open) {
        return open.stream().map(Open::name).toList();
    }

    private static IllegalStateException error(String where, int number, String line, String what) {
        return new IllegalStateException(where + " line " + number + ": " + what + ": " + line.strip());
    }

    /**
     * The text with the sections of the flags in {@code on} kept and all others dropped, every line ended by
     * {@code \n}.
     *
     * @throws IllegalArgumentException when {@code on} names a flag the template does not know
     */
    String render(Set<String> on) {
        if (!flags.containsAll(on)) {
            throw new IllegalArgumentException("not flags of " + where + ": " + on);
        }
        StringBuilder out = new StringBuilder();
        for (Piece p : pieces) {
            if (on.containsAll(p.sections())) {
                out.append(p.text());
            }
        }
        return out.toString();
    }
}
