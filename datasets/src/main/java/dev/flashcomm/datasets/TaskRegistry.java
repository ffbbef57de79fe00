package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Metric.ACC;
import static dev.flashcomm.datasets.Metric.ACC_NORM;
import static dev.flashcomm.datasets.Metric.PERPLEXITY;
import static dev.flashcomm.datasets.OutputType.GREEDY_CONTINUATION;
import static dev.flashcomm.datasets.OutputType.MULTIPLE_CHOICE;

import java.util.List;
import java.util.Optional;

/** The known tasks, looked up by name. Metrics follow each task's lm-eval YAML. */
public final class TaskRegistry {
    public static final TaskSpec PIQA = new TaskSpec("piqa", MULTIPLE_CHOICE, List.of(ACC, ACC_NORM), 1,
            "piqa/valid.jsonl", TaskFormat.PIQA);
    public static final TaskSpec ARC_EASY = new TaskSpec("arc_easy", MULTIPLE_CHOICE, List.of(ACC, ACC_NORM), 1,
            "arc/arc_easy_test.jsonl", TaskFormat.ARC);
    public static final TaskSpec ARC_CHALLENGE = ARC_EASY.withName("arc_challenge")
            .withFile("arc/arc_challenge_test.jsonl");
    public static final TaskSpec HELLASWAG = new TaskSpec("hellaswag", MULTIPLE_CHOICE, List.of(ACC, ACC_NORM), 1,
            "hellaswag/hellaswag_val_full.txt", TaskFormat.HELLASWAG);
    public static final TaskSpec WINOGRANDE = new TaskSpec("winogrande", MULTIPLE_CHOICE, List.of(ACC), 1,
            "winogrande/winogrande.jsonl", TaskFormat.WINOGRANDE);
    public static final TaskSpec LAMBADA_OPENAI = new TaskSpec("lambada_openai", GREEDY_CONTINUATION,
            List.of(PERPLEXITY, ACC), 1, "lambada/lambada_openai.jsonl", TaskFormat.LAMBADA);
    public static final TaskSpec BOOLQ = new TaskSpec("boolq", MULTIPLE_CHOICE, List.of(ACC), 1,
            "boolq/boolq.jsonl", TaskFormat.BOOLQ);
    public static final TaskSpec OPENBOOKQA = new TaskSpec("openbookqa", MULTIPLE_CHOICE, List.of(ACC, ACC_NORM), 1,
            "openbookqa/test.jsonl", TaskFormat.OPENBOOKQA);
    /** Version 2: continuations start with lm-eval's two spaces (version 1 scored one). */
    public static final TaskSpec COPA = new TaskSpec("copa", MULTIPLE_CHOICE, List.of(ACC), 2,
            "copa/copa.jsonl", TaskFormat.COPA);

    private static final List<TaskSpec> ALL = List.of(PIQA, ARC_EASY, ARC_CHALLENGE, HELLASWAG, WINOGRANDE,
            LAMBADA_OPENAI, BOOLQ, OPENBOOKQA, COPA);

    private TaskRegistry() {
    }

    /** The task called {@code name} (exact, case-sensitive, as in lm-eval). */
    public static Optional<TaskSpec> find(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The task called {@code name}.
     *
     * @throws DataException naming the known tasks when there is none
     */
    public static TaskSpec require(String name) {
        return find(name).orElseThrow(() -> new DataException(
                "unknown task '" + name + "'; known: " + String.join(", ", names())));
    }

    /** Every task name, in a fixed order. */
    public static List<String> names() {
        return ALL.stream().map(TaskSpec::name).toList();
    }

    /** Every task spec, in the order of {@link #names()}. */
    public static List<TaskSpec> all() {
        return ALL;
    }
}
