package dev.flashcomm.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmluReaderTest {
    private static final TaskSpec ALGEBRA = TaskRegistry.require("mmlu_abstract_algebra");

    @Test
    void defaultTemplateWithQuotedAndMultiLineFields(@TempDir Path dir) {
        Path file = Files2.text(dir, "x_test.csv", "  What is 1+1? ,1,2,3,4,B\n"
                + "\"Which, if any\r\nholds?\",\"True, True\",\"say \"\"no\"\"\",c,d,D\r\n");
        List<TaskItem> items = TaskLoader.load(ALGEBRA.withFewShot(FewShotSpec.LM_EVAL_DEFAULT), file, 0);
        assertEquals(2, items.size());
        // question.strip(); choices as they are; " A".." D" normalised by one character
        String ctx0 = "What is 1+1?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer:";
        assertEquals(List.of(new Choice(ctx0, " A", 1), new Choice(ctx0, " B", 1), new Choice(ctx0, " C", 1),
                new Choice(ctx0, " D", 1)), items.get(0).choices());
        assertEquals(1, items.get(0).gold());
        // the CRLF inside quotes is kept, as Python's csv module keeps it
        assertEquals("Which, if any\r\nholds?\nA. True, True\nB. say \"no\"\nC. c\nD. d\nAnswer:",
                items.get(1).choices().get(0).context());
        assertEquals(3, items.get(1).gold());
        assertEquals(1, items.get(1).index());
    }

    @Test
    void zeroShotHasTheDescriptionAndFiveShotTheFirstFiveDevQuestions(@TempDir Path dir) {
        Path dev = Files2.lines(dir, "dev.csv", "d0,a,b,c,d,A", "d1,a,b,c,d,B", "d2,a,b,c,d,C");
        Path test = Files2.lines(dir, "test.csv", "t0,w,x,y,z,D", "t1,w,x,y,z,A");
        String description = "The following are multiple choice questions (with answers) about abstract algebra.\n\n";
        assertEquals(description + "t0\nA. w\nB. x\nC. y\nD. z\nAnswer:",
                TaskLoader.load(ALGEBRA, test, 0).get(0).choices().get(0).context());
        List<TaskItem> twoShot = TaskLoader.load(ALGEBRA, test, 0, FewShotRequest.of(2), dev);
        for (TaskItem item : twoShot) {
            // first_n: the same examples for every document, no generator involved
            assertEquals(List.of(0, 1), item.fewshotExamples());
        }
        assertEquals(description + "d0\nA. a\nB. b\nC. c\nD. d\nAnswer: A\n\nd1\nA. a\nB. b\nC. c\nD. d\nAnswer: B\n\n"
                + "t1\nA. w\nB. x\nC. y\nD. z\nAnswer:", twoShot.get(1).choices().get(2).context());
        DataException e = assertThrows(DataException.class,
                () -> TaskLoader.load(ALGEBRA, test, 0, FewShotRequest.of(5), dev));
        assertEquals(dev + ": 5-shot prompts need 5 examples but the file holds 3", e.getMessage());
    }

    @Test
    void aLargeFileWithMultiLineFieldsReadsWholeAndNamesTheRightLine(@TempDir Path dir) {
        // every 7th record spans three lines: the line of each record depends on every record before it
        StringBuilder csv = new StringBuilder();
        int line = 1;
        int badLine = 0;
        int rows = 30_000;
        for (int i = 0; i < rows; i++) {
            String question = i % 7 == 0 ? "\"q" + i + "\nsecond line\r\nthird\"" : "q" + i;
            if (i == rows - 2) {
                badLine = line;
            }
            csv.append(question).append(",a,b,c,d,").append(i == rows - 2 ? "E" : "ABCD".charAt(i % 4)).append('\n');
            line += i % 7 == 0 ? 3 : 1;
        }
        Path file = Files2.text(dir, "big.csv", csv.toString());
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(ALGEBRA, file, 2));
        assertEquals(file + ":" + badLine + ": answer must be one of A, B, C, D, got \"E\"", e.getMessage(),
                "every line counted once, even under a limit of 2");

        Path good = Files2.text(dir, "good.csv", csv.toString().replace(",E\n", ",A\n"));
        List<TaskItem> items = TaskLoader.load(ALGEBRA.withFewShot(FewShotSpec.LM_EVAL_DEFAULT), good, 0);
        assertEquals(rows, items.size());
        assertEquals("q29996\nA. a\nB. b\nC. c\nD. d\nAnswer:", items.get(29_996).choices().get(0).context());
        assertEquals("q29995\nsecond line\r\nthird\nA. a\nB. b\nC. c\nD. d\nAnswer:",
                items.get(29_995).choices().get(0).context());
    }

    @Test
    void theLineCounterAnswersInOnePass() {
        MmluReader.LineCounter lines = new MmluReader.LineCounter("a\nb\n\nc\nd");
        assertEquals(0, lines.lineAt(0));
        assertEquals(1, lines.lineAt(2));
        assertEquals(3, lines.lineAt(5));
        assertEquals(4, lines.lineAt(100), "past the end: the last line");
        assertEquals(1, lines.lineAt(2), "asked out of order it starts again");
    }

    @Test
    void badRecordsNameTheFileAndLine(@TempDir Path dir) {
        Path fields = Files2.lines(dir, "f.csv", "q,a,b,c,d,A", "\"two\nlines\",a,b,c,A");
        assertEquals(fields + ":2: expected 6 fields (question,A,B,C,D,answer), got 5",
                assertThrows(DataException.class, () -> TaskLoader.load(ALGEBRA, fields, 0)).getMessage());
        Path answer = Files2.lines(dir, "a.csv", "q,a,b,c,d,A", "q,a,b,c,d,A", "q,a,b,c,d,E");
        assertEquals(answer + ":3: answer must be one of A, B, C, D, got \"E\"",
                assertThrows(DataException.class, () -> TaskLoader.load(ALGEBRA, answer, 0)).getMessage());
        Path quote = Files2.lines(dir, "q.csv", "\"never closed,a,b,c,d,A");
        String unclosed = assertThrows(DataException.class, () -> TaskLoader.load(ALGEBRA, quote, 0)).getMessage();
        assertTrue(unclosed.startsWith(quote + ": bad CSV: ") && !unclosed.contains("\n"), unclosed);
        assertEquals(quote + ": bad CSV: (startline 1) EOF reached before encapsulated token finished", unclosed);
        Path empty = Files2.lines(dir, "e.csv");
        assertEquals(empty + ": no items",
                assertThrows(DataException.class, () -> TaskLoader.load(ALGEBRA, empty, 0)).getMessage());
    }
}
