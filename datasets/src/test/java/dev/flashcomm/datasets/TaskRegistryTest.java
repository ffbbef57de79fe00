package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Metric.ACC;
import static dev.flashcomm.datasets.Metric.ACC_NORM;
import static dev.flashcomm.datasets.Metric.PERPLEXITY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TaskRegistryTest {
    @Test
    void knowsTheNineTasksInOrder() {
        assertEquals(List.of("piqa", "arc_easy", "arc_challenge", "hellaswag", "winogrande", "lambada_openai", "boolq",
                "openbookqa", "copa"), TaskRegistry.names());
    }

    @Test
    void findIsExactAndCaseSensitive() {
        assertEquals(Optional.of(TaskRegistry.PIQA), TaskRegistry.find("piqa"));
        assertTrue(TaskRegistry.find("PIQA").isEmpty());
        assertTrue(TaskRegistry.find("mmlu").isEmpty());
    }

    @Test
    void unknownTaskListsTheKnownOnes() {
        DataException e = assertThrows(DataException.class, () -> TaskRegistry.require("mmlu"));
        assertEquals("unknown task 'mmlu'; known: piqa, arc_easy, arc_challenge, hellaswag, winogrande, "
                + "lambada_openai, boolq, openbookqa, copa, gsm8k, groups mmlu, mmlu_stem, mmlu_humanities, "
                + "mmlu_social_sciences, mmlu_other, mmlu_<subject> for the 57 subjects", e.getMessage());
    }

    @Test
    void specsFollowLmEval() {
        assertEquals(List.of(ACC, ACC_NORM), TaskRegistry.require("piqa").metrics());
        assertEquals(List.of(ACC, ACC_NORM), TaskRegistry.require("hellaswag").metrics());
        assertEquals(List.of(ACC), TaskRegistry.require("winogrande").metrics());
        assertEquals(List.of(ACC), TaskRegistry.require("boolq").metrics());
        assertEquals(List.of(ACC), TaskRegistry.require("copa").metrics());
        TaskSpec lambada = TaskRegistry.require("lambada_openai");
        assertEquals(OutputType.GREEDY_CONTINUATION, lambada.type());
        assertEquals(List.of(PERPLEXITY, ACC), lambada.metrics());
        TaskSpec challenge = TaskRegistry.require("arc_challenge");
        assertEquals("arc/arc_challenge_test.jsonl", challenge.defaultFile());
        assertEquals(TaskFormat.ARC, challenge.format());
        assertEquals(TaskRegistry.ARC_EASY.metrics(), challenge.metrics());
        for (TaskSpec spec : TaskRegistry.all()) {
            assertEquals(spec == TaskRegistry.COPA ? 2 : 1, spec.version(), spec.name());
            if (spec != TaskRegistry.LAMBADA_OPENAI) {
                assertEquals(OutputType.MULTIPLE_CHOICE, spec.type(), spec.name());
            }
        }
    }

    @Test
    void metricsHaveIdsAndAggregations() {
        assertEquals("acc", ACC.id());
        assertEquals("acc_norm", ACC_NORM.id());
        assertEquals("perplexity", PERPLEXITY.id());
        assertEquals(Optional.of(ACC_NORM), Metric.fromId("acc_norm"));
        assertTrue(Metric.fromId("f1").isEmpty());
        assertEquals(0.75, ACC.aggregation().aggregate(new double[] {1, 1, 0, 1}), 1e-15);
        // exp(-mean(ln 0.5, ln 0.125)) = exp(-ln(0.25)) = 4
        assertEquals(4.0, PERPLEXITY.aggregation().aggregate(new double[] {Math.log(0.5), Math.log(0.125)}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Aggregation.MEAN.aggregate(new double[0]));
    }

    @Test
    void specValidatesAndCopies() {
        List<Metric> metrics = new java.util.ArrayList<>(List.of(ACC));
        TaskSpec spec = new TaskSpec("t", OutputType.MULTIPLE_CHOICE, metrics, 1, "t/t.jsonl", TaskFormat.COPA);
        metrics.add(ACC_NORM);
        assertEquals(List.of(ACC), spec.metrics());
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec(" ", OutputType.MULTIPLE_CHOICE, List.of(ACC), 1, "t.jsonl", TaskFormat.COPA));
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE, List.of(), 1, "t.jsonl", TaskFormat.COPA));
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE, List.of(ACC, ACC), 1, "t.jsonl", TaskFormat.COPA));
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE, List.of(ACC), 0, "t.jsonl", TaskFormat.COPA));
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE, List.of(ACC), 1, "/abs/t.jsonl", TaskFormat.COPA));
        assertEquals(2, spec.withVersion(2).version());
        assertEquals(java.nio.file.Path.of("root", "t", "t.jsonl"), spec.fileUnder(java.nio.file.Path.of("root")));
    }

    @Test
    void recordsValidateAndCopy() {
        Choice a = Choice.of("ctx", "\uD83C\uDF55 slice");
        assertEquals(" \uD83C\uDF55 slice", a.continuation());
        assertEquals(7, a.normLength());
        assertThrows(IllegalArgumentException.class, () -> new Choice("c", " x", -1));
        assertThrows(NullPointerException.class, () -> new Choice(null, " x", 1));
        List<Choice> choices = new java.util.ArrayList<>(List.of(a, Choice.of("ctx", "b")));
        TaskItem item = new TaskItem(0, choices, 1);
        choices.clear();
        assertEquals(2, item.choices().size());
        assertEquals(" b", item.goldChoice().continuation());
        assertThrows(IllegalArgumentException.class, () -> new TaskItem(0, List.of(a), 1));
        assertThrows(IllegalArgumentException.class, () -> new TaskItem(0, List.of(a), -1));
        assertThrows(IllegalArgumentException.class, () -> new TaskItem(0, List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> new TaskItem(-1, List.of(a), 0));
    }

    @Test
    void gsm8kFollowsItsLmEvalYaml() {
        TaskSpec gsm8k = TaskRegistry.require("gsm8k");
        assertEquals(OutputType.GENERATE_UNTIL, gsm8k.type());
        assertEquals(List.of(Metric.EXACT_MATCH_STRICT, Metric.EXACT_MATCH_FLEXIBLE), gsm8k.metrics());
        assertEquals(3, gsm8k.version());
        assertEquals("gsm8k/test.jsonl", gsm8k.defaultFile());
        assertEquals(new FewShotSpec(5, FewShotSampler.RANDOM, "", " ", "\n\n", "gsm8k/train.jsonl",
                FewShotSplit.OTHER), gsm8k.fewshot());
        assertEquals(new GenerationSpec(List.of("Question:", "</s>", "<|im_end|>"), 256), gsm8k.generation());
        assertEquals(java.nio.file.Path.of("root", "gsm8k", "train.jsonl"),
                gsm8k.fewshotFileUnder(java.nio.file.Path.of("root")).orElseThrow());
        assertEquals("exact_match,strict-match", Metric.EXACT_MATCH_STRICT.lmEvalKey());
        assertEquals("exact_match_stderr,flexible-extract", Metric.EXACT_MATCH_FLEXIBLE.lmEvalStderrKey());
        assertEquals("acc,none", ACC.lmEvalKey());
        assertEquals(Optional.of(Metric.EXACT_MATCH_FLEXIBLE), Metric.fromId("exact_match_flexible"));
        for (TaskSpec spec : TaskRegistry.all()) {
            assertEquals(FewShotSpec.LM_EVAL_DEFAULT.withSplit(spec.fewshot().split()), spec.fewshot(), spec.name());
            assertTrue(spec.fewshotFileUnder(java.nio.file.Path.of("root")).isEmpty());
            assertEquals(null, spec.generation());
        }
    }

    /**
     * Each task's lm-eval YAML (current main): hellaswag.yaml and piqa.yaml say {@code test_split: null},
     * winogrande/default.yaml, super_glue/boolq/default.yaml and super_glue/copa/default.yaml name no test split, so
     * {@code fewshot_split == test_split} is {@code None == None}; arc_easy.yaml and openbookqa.yaml say
     * {@code test_split: test}; lambada_openai.yaml has only {@code test_split: test}.
     */
    @Test
    void fewShotSplitsFollowTheYamlsTestSplit() {
        java.util.Map<String, FewShotSplit> expected = new java.util.LinkedHashMap<>();
        for (String name : List.of("piqa", "hellaswag", "winogrande", "boolq", "copa")) {
            expected.put(name, FewShotSplit.UNSET);
        }
        for (String name : List.of("arc_easy", "arc_challenge", "openbookqa", "gsm8k", "mmlu_anatomy")) {
            expected.put(name, FewShotSplit.OTHER);
        }
        expected.put("lambada_openai", FewShotSplit.EVALUATED);
        expected.forEach((name, split) -> assertEquals(split, TaskRegistry.require(name).fewshot().split(), name));
        assertEquals(FewShotSplit.UNSET, FewShotSpec.LM_EVAL_DEFAULT.split(), "lm-eval's TaskConfig sets neither");
    }

    @Test
    void mmluHasFiftySevenSubjectsInLmEvalsCategories() {
        List<MmluSubject> subjects = TaskRegistry.mmluSubjects();
        assertEquals(57, subjects.size());
        assertEquals(subjects.stream().map(MmluSubject::name).sorted().toList(),
                subjects.stream().map(MmluSubject::name).toList());
        java.util.Map<String, Long> perCategory = subjects.stream().collect(java.util.stream.Collectors
                .groupingBy(MmluSubject::category, java.util.stream.Collectors.counting()));
        assertEquals(java.util.Map.of("stem", 19L, "humanities", 13L, "social_sciences", 12L, "other", 13L),
                perCategory);
        TaskSpec gov = TaskRegistry.require("mmlu_high_school_government_and_politics");
        assertEquals("The following are multiple choice questions (with answers) about high school government and"
                + " politics.\n\n", gov.fewshot().description());
        assertEquals("mmlu/test/high_school_government_and_politics_test.csv", gov.defaultFile());
        assertEquals("mmlu/dev/high_school_government_and_politics_dev.csv", gov.fewshot().fewshotFile());
        assertEquals(FewShotSampler.FIRST_N, gov.fewshot().sampler());
        assertEquals(0, gov.fewshot().defaultShots());
        assertEquals(List.of(ACC), gov.metrics());
        assertEquals(1, gov.version());
        assertEquals(TaskFormat.MMLU, gov.format());
        assertEquals("social_sciences", subjects.stream()
                .filter(s -> s.name().equals("high_school_government_and_politics")).findFirst().orElseThrow()
                .category());
    }

    @Test
    void groupsExpandAndAllStaysTheNineZeroShotTasks() {
        List<TaskSpec> mmlu = TaskRegistry.expand("mmlu");
        assertEquals(57, mmlu.size());
        assertEquals("mmlu_abstract_algebra", mmlu.get(0).name());
        assertEquals("mmlu_world_religions", mmlu.get(56).name());
        assertEquals(19, TaskRegistry.expand("mmlu_stem").size());
        assertEquals(13, TaskRegistry.expand("mmlu_humanities").size());
        assertEquals(12, TaskRegistry.expand("mmlu_social_sciences").size());
        assertEquals(13, TaskRegistry.expand("mmlu_other").size());
        assertEquals(List.of(TaskRegistry.PIQA), TaskRegistry.expand("piqa"));
        assertEquals(List.of(TaskRegistry.GSM8K), TaskRegistry.expand("gsm8k"));
        assertEquals(List.of("mmlu", "mmlu_stem", "mmlu_humanities", "mmlu_social_sciences", "mmlu_other"),
                TaskRegistry.groups());
        assertEquals(58, TaskRegistry.additional().size());
        assertEquals(9, TaskRegistry.all().size());
        assertTrue(TaskRegistry.find("mmlu_anatomy").isPresent());
        DataException e = assertThrows(DataException.class, () -> TaskRegistry.expand("mmlu_anatomyy"));
        assertTrue(e.getMessage().startsWith("unknown task or group 'mmlu_anatomyy'; known: piqa, "), e.getMessage());
        assertTrue(e.getMessage().endsWith(", gsm8k, groups mmlu, mmlu_stem, mmlu_humanities, mmlu_social_sciences,"
                + " mmlu_other, mmlu_<subject> for the 57 subjects"), e.getMessage());
    }

    @Test
    void generationSpecGoesWithGenerateUntilOnly() {
        GenerationSpec gen = new GenerationSpec(List.of("\n"), 16);
        assertThrows(IllegalArgumentException.class, () -> new TaskSpec("t", OutputType.GENERATE_UNTIL,
                List.of(Metric.EXACT_MATCH_STRICT), 1, "t.jsonl", TaskFormat.GSM8K));
        assertThrows(IllegalArgumentException.class, () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE,
                List.of(ACC), 1, "t.jsonl", TaskFormat.COPA, FewShotSpec.LM_EVAL_DEFAULT, gen));
        assertThrows(IllegalArgumentException.class, () -> new GenerationSpec(List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> new FewShotSpec(-1, FewShotSampler.RANDOM, "", " ",
                "\n\n", null, FewShotSplit.UNSET));
        assertThrows(IllegalArgumentException.class, () -> new FewShotSpec(0, FewShotSampler.RANDOM, "", " ",
                "\n\n", "/abs/train.jsonl", FewShotSplit.OTHER));
        assertThrows(NullPointerException.class, () -> new FewShotSpec(0, FewShotSampler.RANDOM, "", " ",
                "\n\n", null, null));
        assertThrows(IllegalArgumentException.class, () -> new FewShotRequest(-1, 1234));
        assertEquals(new FewShotRequest(5, 1234), FewShotRequest.defaultsFor(TaskRegistry.GSM8K));
        assertEquals(new FewShotRequest(0, 1234), FewShotRequest.zeroShot());
        // the variant helpers keep the few-shot and generation components
        TaskSpec renamed = TaskRegistry.GSM8K.withName("gsm8k_copy").withFile("x.jsonl").withVersion(9);
        assertEquals(TaskRegistry.GSM8K.fewshot(), renamed.fewshot());
        assertEquals(TaskRegistry.GSM8K.generation(), renamed.generation());
    }
}
