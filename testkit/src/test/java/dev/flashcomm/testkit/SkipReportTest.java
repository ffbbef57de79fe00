package dev.flashcomm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/** A skip names its reason on the console, so "skipped: no fixtures at PATH" is seen, not just counted. */
class SkipReportTest {

    @Test
    void anAbortedTestIsPrintedWithItsReason() throws Exception {
        Method m = SkipReportTest.class.getDeclaredMethod("anAbortedTestIsPrintedWithItsReason");
        ExtensionContext ctx = (ExtensionContext) java.lang.reflect.Proxy.newProxyInstance(
                ExtensionContext.class.getClassLoader(), new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getTestClass" -> Optional.of(SkipReportTest.class);
                    case "getTestMethod" -> Optional.of(m);
                    case "getDisplayName" -> "shared()";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            SkipReport report = new SkipReport();
            report.testAborted(ctx, new TestAbortedException("skipped: no fixtures at /x/shared/models"));
            assertThrows(TestAbortedException.class, () -> report.handleBeforeAllMethodExecutionException(ctx,
                    new TestAbortedException("skipped: no bundled model at /x/models")));
        } finally {
            System.setErr(saved);
        }
        assertEquals("SKIPPED SkipReportTest.shared(): skipped: no fixtures at /x/shared/models\n"
                + "SKIPPED SkipReportTest.shared(): skipped: no bundled model at /x/models\n",
                bytes.toString(StandardCharsets.UTF_8));
    }
}
