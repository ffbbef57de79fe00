package dev.flashcomm.testkit;

import java.io.PrintStream;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * Prints every skipped test with its reason on the console. Surefire's summary only counts skips, so a missing
 * fixture directory would otherwise go unnoticed; the reasons ({@code skipped: no fixtures at /path}) name the path.
 * Registered for every test class of a module that has this module as a test dependency, through this jar's
 * {@code META-INF/services} and the module's {@code junit.jupiter.extensions.autodetection.enabled=true}.
 */
public final class SkipReport implements TestWatcher, LifecycleMethodExecutionExceptionHandler {

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        report(context, cause);
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        out().println("SKIPPED " + name(context) + ": " + reason.orElse("disabled"));
    }

    /** A class-wide assumption ({@code @BeforeAll}) skips every test of the class: say so once, then let it abort. */
    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        if (throwable instanceof TestAbortedException) {
            report(context, throwable);
        }
        throw throwable;
    }

    private static void report(ExtensionContext context, Throwable cause) {
        out().println("SKIPPED " + name(context) + ": " + cause.getMessage());
    }

    private static String name(ExtensionContext context) {
        String cls = context.getTestClass().map(Class::getSimpleName).orElse("?");
        return context.getTestMethod().isPresent() ? cls + "." + context.getDisplayName() : cls;
    }

    /** stderr: surefire shows it on the console whatever it does with a test's stdout. */
    private static PrintStream out() {
        return System.err;
    }
}
