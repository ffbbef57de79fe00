package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Metric.ACC;
import static dev.flashcomm.datasets.Metric.ACC_NORM;
import static dev.flashcomm.datasets.Metric.EXACT_MATCH_FLEXIBLE;
import static dev.flashcomm.datasets.Metric.EXACT_MATCH_STRICT;
import static dev.flashcomm.datasets.Metric.PERPLEXITY;
import static dev.flashcomm.datasets.OutputType.GENERATE_UNTIL;
import static dev.flashcomm.datasets.OutputType.GREEDY_CONTINUATION;
import static dev.flashcomm.datasets.OutputType.MULTIPLE_CHOICE;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The known tasks, looked up by name. Metrics, prompts and few-shot settings follow each task's lm-eval YAML.
 *
 * <p>Two sets: {@link #all()} is the nine zero-shot tasks (what {@code --tasks all} and the bundled demo run), and
 * {@link #additional()} holds the tasks that need their own data and are usually run few-shot: {@code gsm8k} and the
 * 57 {@code mmlu_<subject>} tasks. {@link #find}/{@link #require} know both; {@link #expand} also knows the group
 * names ({@code mmlu}, {@code mmlu_stem}, ...).
 */
public final class TaskRegistry {
    /**
     * The zero-shot tasks whose YAML sets {@code test_split} (ARC, OpenBookQA): their pool is the train split, a split
     * apart. PIQA, HellaSwag, Winogrande, BoolQ and COPA set no {@code test_split} and keep lm-eval's default,
     * {@link FewShotSplit#UNSET}.
     */
    private static final FewShotSpec FROM_TRAIN_SPLIT = FewShotSpec.LM_EVAL_DEFAULT.withSplit(FewShotSplit.OTHER);

    public static final TaskSpec PIQA = new TaskSpec("piqa", MULTIPLE_CHOICE, List.of(ACC, ACC_NORM), 1,
            "piqa/valid.jsonl", TaskFormat.PIQA);
    /** Its YAML sets {@code test_split: test}, so lm-eval draws n from the train split and removes nothing. */
    public static final TaskSpec ARC_EASY = new TaskSpec("arc_easy", MULTIPLE_CHOICE, List.of(ACC, ACC_NORM), 1,
            "arc/arc_easy_test.jsonl", TaskFormat.ARC).withFewShot(FROM_TRAIN_SPLIT);
    public static final TaskSpec ARC_CHALLENGE = ARC_EASY.withName("arc_challenge")
            .withFile("arc/arc_challenge_test.jsonl");
    public static final TaskSpec HELLASWAG = new TaskSpec("hellaswag", MULTIPLE_CHOICE, List.of(ACC, ACC_NORM), 1,
            "hellaswag/hellaswag_val_full.txt", TaskFormat.HELLASWAG);
    public static final TaskSpec WINOGRANDE = new TaskSpec("winogrande", MULTIPLE_CHOICE, List.of(ACC), 1,
            "winogrande/winogrande.jsonl", TaskFormat.WINOGRANDE);
    /** A test split only: lm-eval draws its n examples from it and removes nothing ({@link FewShotSplit#EVALUATED}). */
    public static final TaskSpec LAMBADA_OPENAI = new TaskSpec("lambada_openai", GREEDY_CONTINUATION,
            List.of(PERPLEXITY, ACC), 1, "lambada/lambada_openai.jsonl", TaskFormat.LAMBADA)
            .withFewShot(FewShotSpec.LM_EVAL_DEFAULT.withSplit(FewShotSplit.EVALUATED));
    public static final TaskSpec BOOLQ = new TaskSpec("boolq", MULTIPLE_CHOICE, List.of(ACC), 1,
            "boolq/boolq.jsonl", TaskFormat.BOOLQ);
    /** As ARC: {@code test_split: test}, n from the train split. */
    public static final TaskSpec OPENBOOKQA = new TaskSpec("openbookqa", MULTIPLE_CHOICE, List.of(ACC, ACC_NORM), 1,
            "openbookqa/test.jsonl", TaskFormat.OPENBOOKQA).withFewShot(FROM_TRAIN_SPLIT);
    /** Version 2: continuations start with lm-eval's two spaces (version 1 scored one). */
    public static final TaskSpec COPA = new TaskSpec("copa", MULTIPLE_CHOICE, List.of(ACC), 2,
            "copa/copa.jsonl", TaskFormat.COPA);

    /**
     * lm-eval {@code gsm8k} version 3: {@code "Question: ...\nAnswer:"}, 5-shot from the train split (random
     * sampler), greedy until {@code "Question:"}, {@code "</s>"} or {@code "<|im_end|>"}, both filters.
     */
    public static final TaskSpec GSM8K = new TaskSpec("gsm8k", GENERATE_UNTIL,
            List.of(EXACT_MATCH_STRICT, EXACT_MATCH_FLEXIBLE), 3, "gsm8k/test.jsonl", TaskFormat.GSM8K,
            new FewShotSpec(5, FewShotSampler.RANDOM, "", " ", "\n\n", "gsm8k/train.jsonl", FewShotSplit.OTHER),
            new GenerationSpec(List.of("Question:", "</s>", "<|im_end|>"), GenerationSpec.LM_EVAL_MAX_GEN_TOKENS));

    /** MMLU's subjects in lm-eval's (alphabetical) order, with their lm-eval categories. */
    private static final List<MmluSubject> MMLU_SUBJECTS = List.of(
            new MmluSubject("abstract_algebra", "stem"),
            new MmluSubject("anatomy", "stem"),
            new MmluSubject("astronomy", "stem"),
            new MmluSubject("business_ethics", "other"),
            new MmluSubject("clinical_knowledge", "other"),
            new MmluSubject("college_biology", "stem"),
            new MmluSubject("college_chemistry", "stem"),
            new MmluSubject("college_computer_science", "stem"),
            new MmluSubject("college_mathematics", "stem"),
            new MmluSubject("college_medicine", "other"),
            new MmluSubject("college_physics", "stem"),
            new MmluSubject("computer_security", "stem"),
            new MmluSubject("conceptual_physics", "stem"),
            new MmluSubject("econometrics", "social_sciences"),
            new MmluSubject("electrical_engineering", "stem"),
            new MmluSubject("elementary_mathematics", "stem"),
            new MmluSubject("formal_logic", "humanities"),
            new MmluSubject("global_facts", "other"),
            new MmluSubject("high_school_biology", "stem"),
            new MmluSubject("high_school_chemistry", "stem"),
            new MmluSubject("high_school_computer_science", "stem"),
            new MmluSubject("high_school_european_history", "humanities"),
            new MmluSubject("high_school_geography", "social_sciences"),
            new MmluSubject("high_school_government_and_politics", "social_sciences"),
            new MmluSubject("high_school_macroeconomics", "social_sciences"),
            new MmluSubject("high_school_mathematics", "stem"),
            new MmluSubject("high_school_microeconomics", "social_sciences"),
            new MmluSubject("high_school_physics", "stem"),
            new MmluSubject("high_school_psychology", "social_sciences"),
            new MmluSubject("high_school_statistics", "stem"),
            new MmluSubject("high_school_us_history", "humanities"),
            new MmluSubject("high_school_world_history", "humanities"),
            new MmluSubject("human_aging", "other"),
            new MmluSubject("human_sexuality", "social_sciences"),
            new MmluSubject("international_law", "humanities"),
            new MmluSubject("jurisprudence", "humanities"),
            new MmluSubject("logical_fallacies", "humanities"),
            new MmluSubject("machine_learning", "stem"),
            new MmluSubject("management", "other"),
            new MmluSubject("marketing", "other"),
            new MmluSubject("medical_genetics", "other"),
            new MmluSubject("miscellaneous", "other"),
            new MmluSubject("moral_disputes", "humanities"),
            new MmluSubject("moral_scenarios", "humanities"),
            new MmluSubject("nutrition", "other"),
            new MmluSubject("philosophy", "humanities"),
            new MmluSubject("prehistory", "humanities"),
            new MmluSubject("professional_accounting", "other"),
            new MmluSubject("professional_law", "humanities"),
            new MmluSubject("professional_medicine", "other"),
            new MmluSubject("professional_psychology", "social_sciences"),
            new MmluSubject("public_relations", "social_sciences"),
            new MmluSubject("security_studies", "social_sciences"),
            new MmluSubject("sociology", "social_sciences"),
            new MmluSubject("us_foreign_policy", "social_sciences"),
            new MmluSubject("virology", "other"),
            new MmluSubject("world_religions", "humanities"));

    /** lm-eval's MMLU group names: the whole benchmark, then one group per category. */
    private static final List<String> MMLU_GROUPS = List.of("mmlu", "mmlu_stem", "mmlu_humanities",
            "mmlu_social_sciences", "mmlu_other");

    private static final List<TaskSpec> ALL = List.of(PIQA, ARC_EASY, ARC_CHALLENGE, HELLASWAG, WINOGRANDE,
            LAMBADA_OPENAI, BOOLQ, OPENBOOKQA, COPA);
    private static final List<TaskSpec> MMLU = MMLU_SUBJECTS.stream().map(TaskRegistry::mmlu).toList();
    private static final List<TaskSpec> ADDITIONAL = Stream.concat(Stream.of(GSM8K), MMLU.stream()).toList();

    private TaskRegistry() {
    }

    /**
     * lm-eval's {@code mmlu_<subject>} (default template, version 1): test file, 0 shots by default (its YAML sets
     * none; the usual MMLU number is 5-shot) from the dev file with {@code first_n}, the subject's description,
     * choices {@code " A"} to {@code " D"}, {@code acc} only.
     */
    private static TaskSpec mmlu(MmluSubject subject) {
        return new TaskSpec(subject.taskName(), MULTIPLE_CHOICE, List.of(ACC), 1,
                "mmlu/test/" + subject.name() + "_test.csv", TaskFormat.MMLU,
                new FewShotSpec(0, FewShotSampler.FIRST_N, subject.description(), " ", "\n\n",
                        "mmlu/dev/" + subject.name() + "_dev.csv", FewShotSplit.OTHER),
                null);
    }

    /** The task called {@code name} (exact, case-sensitive, as in lm-eval), in {@link #all()} or {@link #additional()}. */
    public static Optional<TaskSpec> find(String name) {
        return Stream.concat(ALL.stream(), ADDITIONAL.stream()).filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The tasks a name stands for: one task, or the subtasks of a group ({@code mmlu}: the 57 subjects in
     * {@link #mmluSubjects()} order; {@code mmlu_stem}, {@code mmlu_humanities}, {@code mmlu_social_sciences},
     * {@code mmlu_other}: that category's subjects).
     *
     * @throws DataException naming the known tasks and groups when it is neither
     */
    public static List<TaskSpec> expand(String name) {
        if (MMLU_GROUPS.contains(name)) {
            String category = name.equals("mmlu") ? null : name.substring("mmlu_".length());
            List<TaskSpec> out = new ArrayList<>();
            for (int i = 0; i < MMLU_SUBJECTS.size(); i++) {
                if (category == null || MMLU_SUBJECTS.get(i).category().equals(category)) {
                    out.add(MMLU.get(i));
                }
            }
            return List.copyOf(out);
        }
        return find(name).map(List::of).orElseThrow(() -> unknown("task or group", name));
    }

    private static DataException unknown(String what, String name) {
        return new DataException("unknown " + what + " '" + name + "'; known: " + String.join(", ", names())
                + ", gsm8k, groups " + String.join(", ", MMLU_GROUPS) + ", mmlu_<subject> for the "
                + MMLU_SUBJECTS.size() + " subjects");
    }

    /**
     * The task called {@code name}.
     *
     * @throws DataException naming the known tasks and groups when there is none
     */
    public static TaskSpec require(String name) {
        return find(name).orElseThrow(() -> unknown("task", name));
    }

    /** The names of {@link #all()}, in a fixed order. */
    public static List<String> names() {
        return ALL.stream().map(TaskSpec::name).toList();
    }

    /** The nine zero-shot tasks, in the order of {@link #names()} (not gsm8k, not MMLU). */
    public static List<TaskSpec> all() {
        return ALL;
    }

    /** gsm8k, then the 57 MMLU subjects in {@link #mmluSubjects()} order: the tasks {@link #all()} leaves out. */
    public static List<TaskSpec> additional() {
        return ADDITIONAL;
    }

    /** The group names {@link #expand} knows. */
    public static List<String> groups() {
        return MMLU_GROUPS;
    }

    /** MMLU's 57 subjects, alphabetical as in lm-eval, with their categories. */
    public static List<MmluSubject> mmluSubjects() {
        return MMLU_SUBJECTS;
    }
}
