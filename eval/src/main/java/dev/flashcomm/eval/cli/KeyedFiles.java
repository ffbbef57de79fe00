package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.InputException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A repeatable {@code KEY=FILE} option ({@code --task-file}, {@code --fewshot-file}). picocli's map options keep the
 * last of two values for one key without a word, so {@code --task-file agreement:p=A --task-file agreement:p=B}
 * measured B alone; here a key given twice is an error.
 */
final class KeyedFiles {

    private KeyedFiles() {
    }

    /**
     * @param option the option's name, for messages
     * @param specs  the values as given, {@code KEY=FILE} each
     * @return files by key, in the order given
     * @throws InputException naming the option and the key given twice, or a value that is not {@code KEY=FILE}
     */
    static Map<String, Path> parse(String option, List<String> specs) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new InputException(option + " " + spec + ": expected KEY=FILE, e.g. piqa=valid.jsonl");
            }
            String key = spec.substring(0, eq);
            Path file;
            try {
                file = Path.of(spec.substring(eq + 1));
            } catch (InvalidPathException e) {
                throw new InputException(option + " " + key + ": not a valid path: " + e.getReason());
            }
            Path earlier = files.putIfAbsent(key, file);
            if (earlier != null) {
                throw new InputException(option + " " + key + " is given twice (" + earlier + " and " + file
                        + "); give each once");
            }
        }
        return files;
    }
}
