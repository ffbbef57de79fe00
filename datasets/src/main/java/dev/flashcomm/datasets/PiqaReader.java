package dev.flashcomm.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PIQA: {@code {goal, sol1, sol2}} lines whose labels come from {@code <name>-labels.lst} next to the file (the
 * original release), or from a {@code label} field on the line itself.
 */
final class PiqaReader implements TaskReader {
    @Override
    public List<TaskItem> read(SourceLines source, int limit) {
        Path labelsFile = labelsFileFor(source.file());
        List<Integer> labels = Files.exists(labelsFile) ? readLabels(labelsFile) : null;
        if (labels != null && labels.size() != source.nonBlankCount()) {
            throw DataException.in(labelsFile, labels.size() + " labels for " + source.nonBlankCount()
                    + " items in " + source.file());
        }
        return new JsonlReader((doc, index) -> parse(doc, index, labels, labelsFile)).read(source, limit);
    }

    @Override
    public List<Path> sideFiles(Path file) {
        return List.of(labelsFileFor(file));
    }

    /** {@code valid.jsonl} -> {@code valid-labels.lst}, as in the original release. */
    static Path labelsFileFor(Path file) {
        String name = file.getFileName().toString();
        String base = name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length())
                : name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return file.resolveSibling(base + "-labels.lst");
    }

    private static TaskItem parse(JsonDoc doc, int index, List<Integer> labels, Path labelsFile) {
        String context = "Question: " + doc.string("goal") + "\nAnswer:";
        List<Choice> choices = List.of(Choice.of(context, doc.string("sol1")), Choice.of(context, doc.string("sol2")));
        int gold;
        if (doc.has("label")) {
            gold = doc.gold("label", 2);
            if (labels != null && labels.get(index) != gold) {
                throw doc.error("label " + gold + " disagrees with " + labelsFile + ":" + (index + 1)
                        + " (" + labels.get(index) + ")");
            }
        } else if (labels != null) {
            gold = labels.get(index);
        } else {
            throw doc.error("missing field \"label\" and no labels file " + labelsFile.getFileName()
                    + " next to it");
        }
        return new TaskItem(index, choices, gold);
    }

    private static List<Integer> readLabels(Path labelsFile) {
        SourceLines lines = SourceLines.read(labelsFile);
        int n = lines.sizeWithoutTrailingBlanks();
        List<Integer> labels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String label = PyText.strip(lines.line(i));
            if (!label.equals("0") && !label.equals("1")) {
                throw lines.errorAt(i, "label must be 0 or 1, got \"" + label + "\"");
            }
            labels.add(Integer.parseInt(label));
        }
        return labels;
    }
}
