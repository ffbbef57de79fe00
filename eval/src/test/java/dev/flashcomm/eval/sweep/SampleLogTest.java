package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.flashcomm.datasets.Choice;
import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.eval.tasks.ChoiceOutcome;
import dev.flashcomm.eval.tasks.ContinuationOutcome;
import dev.flashcomm.eval.tasks.MetricValue;
import dev.flashcomm.eval.tasks.TaskResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a {@code --log-samples} line of a log-likelihood task holds about its prompt's examples. */
class SampleLogTest {

    private static JsonArray array(int... values) {
        JsonArray a = new JsonArray();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    @Test
    void multipleChoiceAndTargetLinesNameTheirFewShotExamples(@TempDir Path tmp) {
        Cell cell = SweepPlanner.plan(TinySweep.config(tmp.resolve("out"))).cells().get(1);
        String ctx = "Question: a\nAnswer: x\n\nQuestion: b\nAnswer: y\n\nQuestion: q\nAnswer:";
        TaskItem item = new TaskItem(7, List.of(Choice.of(ctx, "s1"), Choice.of(ctx, "s2")), 1, List.of(3, 0));
        ChoiceOutcome choice = ChoiceOutcome.of(7, new double[] {-2.0, -1.0}, new int[] {1, 1},
                new boolean[] {false, true}, new int[] {2, 2}, 1);
        TaskResult piqa = new TaskResult("piqa", 1, List.of(new MetricValue(Metric.ACC, 1.0, 0.0, 1)),
                List.of(choice), 2, 40, 0.5);
        JsonObject line = SampleLog.line(cell, item, choice, piqa);
        assertEquals(array(3, 0), line.getAsJsonArray("fewshot_examples"), "pool positions, in prompt order");
        assertEquals(ctx, line.get("context").getAsString());

        TaskItem zeroShot = new TaskItem(7, item.choices(), 1);
        assertEquals(array(), SampleLog.line(cell, zeroShot, choice, piqa).getAsJsonArray("fewshot_examples"));

        TaskItem lambada = new TaskItem(2, List.of(new Choice("c0  w0\n\nc2  w2\n\nc2", " w2", 2)), 0, List.of(0, 2));
        ContinuationOutcome target = new ContinuationOutcome(2, -3.0, true, 1);
        TaskResult lambadaResult = new TaskResult("lambada_openai", 1,
                List.of(new MetricValue(Metric.ACC, 1.0, 0.0, 1)), List.of(target), 1, 20, 0.1);
        assertEquals(array(0, 2), SampleLog.line(cell, lambada, target, lambadaResult)
                .getAsJsonArray("fewshot_examples"), "a document can be its own example (2)");
    }
}
