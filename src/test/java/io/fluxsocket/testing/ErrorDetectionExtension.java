package io.fluxsocket.testing;

import io.netty.util.internal.logging.InternalLoggerFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Operators;
import reactor.util.Loggers;
import reactor.util.context.Context;

/**
 * Fails a test class when, while it ran, Reactor dropped an error or a value it could not deliver
 * ({@link Hooks#onErrorDropped}, {@link Hooks#onNextDropped}), anything was logged at ERROR
 * ({@link Level#SEVERE}), or a task of a Netty event loop threw (Netty logs that at WARNING). Registered for every test class through {@code META-INF/services}
 * (JUnit extension auto-detection), before {@link LeakDetectionExtension} so that its check comes
 * after the leak check's last collection. The failure names, for each, the logger or hook, the
 * thread, the message and the stack trace (for a dropped error or value, also where it was
 * dropped).
 *
 * <p>Where it listens: on the test classpath there is no SLF4J nor Log4j, so Netty's
 * {@link InternalLoggerFactory} logs through java.util.logging; Reactor's {@link Loggers} would fall
 * back to its own console logger, so the build sets {@code reactor.logging.fallback=JDK} (and this
 * class does when run without it) to have both log through java.util.logging, where a handler on
 * the root logger records every SEVERE record. Before each class it probes that both libraries'
 * loggers still reach that handler and fails the class if not, rather than go blind.
 *
 * <p>Hooks and loggers are global: the recorder is static, records from any thread, and checks
 * before each class and each test that its hooks and handler are still installed (something may
 * have reset them, as {@code StepVerifier.verifyThenAssertThat()} does for the hooks), putting
 * them back if not. Classes run one after another; what arrives between two classes (after one
 * ended, before the next began: late asynchronous work) is reported with the next class. Each
 * report says which test was running, or had just ended, when it arrived. Checks may nest (this
 * extension's own test opens one inside its class, and so does the one of
 * {@link LeakDetectionExtension}, whose deliberate leak Netty logs at ERROR): a check reports only
 * what arrived since it began, and removes it, so the outer one does not report it again.
 */
public final class ErrorDetectionExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    /** At most this many reports in full in one failure message; the rest are counted. */
    private static final int SHOWN = 25;
    /** At most this many frames of where an error was dropped or logged. */
    private static final int CALL_SITE_FRAMES = 40;
    private static final String FALLBACK_PROPERTY = "reactor.logging.fallback";
    /** Where Netty logs, at WARNING, a task of an event loop that threw. */
    private static final String TASK_EXCEPTION_LOGGER = "io.netty.util.concurrent.AbstractEventExecutor";

    /** One error seen. */
    record Report(long sequence, String kind, String source, String thread, String during, String message,
            String stack) {
    }

    private record Check(String name, long start) {
    }

    private static final Object LOCK = new Object();
    /** Reports no check has claimed yet, in arrival order. Guarded by LOCK. */
    private static final List<Report> PENDING = new ArrayList<>();
    /** Open checks, innermost first. Guarded by LOCK. */
    private static final Deque<Check> CHECKS = new ArrayDeque<>();
    private static long sequence;
    /** Which test was running (or had just ended), for the reports. */
    private static volatile String during = "no test yet";

    /** Sent through the hooks and loggers to see that they still reach this recorder. */
    private static final Throwable PROBE_ERROR = new ProbeError();
    private static final Object PROBE_VALUE = new Object() {
        @Override
        public String toString() {
            return "ErrorDetectionExtension probe value (not an error)";
        }
    };
    private static final AtomicBoolean errorHookReached = new AtomicBoolean();
    private static final AtomicBoolean nextHookReached = new AtomicBoolean();
    private static final AtomicBoolean probeLogged = new AtomicBoolean();
    private static final String PROBE_LOGGER = ErrorDetectionExtension.class.getName() + ".probe";

    private static final Consumer<Throwable> ON_ERROR_DROPPED = error -> {
        if (error == PROBE_ERROR) {
            errorHookReached.set(true);
            return;
        }
        // The message is the first line of the error's stack trace.
        Report report = record("dropped error", "Hooks.onErrorDropped", null,
                stackOf(error) + "dropped at:\n" + hereWithout("reactor.core.publisher.Hooks", "java.util.function."));
        System.err.println("[ErrorDetectionExtension] " + format(report));
    };

    private static final Consumer<Object> ON_NEXT_DROPPED = value -> {
        if (value == PROBE_VALUE) {
            nextHookReached.set(true);
            return;
        }
        Report report = record("dropped value", "Hooks.onNextDropped", describe(value),
                "dropped at:\n" + hereWithout("reactor.core.publisher.Hooks", "java.util.function."));
        System.err.println("[ErrorDetectionExtension] " + format(report));
    };

    private static final Handler SEVERE_RECORDER = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            if ((r.getLevel().intValue() < Level.SEVERE.intValue() && !isTaskException(r)) || r.getThrown() == PROBE_ERROR) {
                return;
            }
            if (PROBE_LOGGER.equals(r.getLoggerName())) {
                probeLogged.set(true);
                return;
            }
            String stack = r.getThrown() != null ? stackOf(r.getThrown()) : "";
            record("logged at " + r.getLevel(), r.getLoggerName(), formatter.formatMessage(r),
                    stack + "logged at:\n" + hereWithout("java.util.logging."));
        }

        /**
         * Netty's WARNING for a task of an event loop that threw: an exception nothing caught (such
         * as the library's own state check failing inside a task), which no one else would see.
         */
        private boolean isTaskException(LogRecord r) {
            return r.getLevel().intValue() >= Level.WARNING.intValue() && r.getThrown() != null
                    && TASK_EXCEPTION_LOGGER.equals(r.getLoggerName());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** java.util.logging holds loggers weakly: these are held here so they keep their setup. */
    private static final Logger ROOT = Logger.getLogger("");
    private static final Logger PROBE = Logger.getLogger(PROBE_LOGGER);

    static {
        if (System.getProperty(FALLBACK_PROPERTY) == null) {
            // Run outside the build (an IDE): Reactor would log to its console logger, unseen.
            System.setProperty(FALLBACK_PROPERTY, "JDK");
            Loggers.resetLoggerFactory();
        }
        SEVERE_RECORDER.setLevel(Level.ALL);
        PROBE.setUseParentHandlers(false); // the probes are not printed
        PROBE.addHandler(SEVERE_RECORDER);
        ROOT.addHandler(SEVERE_RECORDER);
        Hooks.onErrorDropped(ON_ERROR_DROPPED);
        Hooks.onNextDropped(ON_NEXT_DROPPED);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ensureInstalled();
        checkLoggingBackends();
        synchronized (LOCK) {
            if (CHECKS.isEmpty()) {
                during = "before its first test";
            }
            CHECKS.push(new Check(nameOf(context), sequence));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ensureInstalled();
        during = "while " + context.getDisplayName() + " ran";
    }

    @Override
    public void afterEach(ExtensionContext context) {
        during = "after " + context.getDisplayName() + " ended";
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ensureInstalled();
        List<Report> mine = new ArrayList<>();
        Check check;
        synchronized (LOCK) {
            check = CHECKS.isEmpty() ? new Check(nameOf(context), sequence) : CHECKS.pop();
            // The outermost check also takes what arrived before it began (after the previous class).
            long from = CHECKS.isEmpty() ? Long.MIN_VALUE : check.start();
            for (Report r : PENDING) {
                if (r.sequence() >= from) {
                    mine.add(r);
                }
            }
            PENDING.removeAll(mine);
            if (CHECKS.isEmpty()) {
                during = "after " + check.name() + " ended";
            }
        }
        if (mine.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder().append(mine.size())
                .append(" error(s) dropped by Reactor or logged at ERROR during ").append(check.name()).append(':');
        for (int i = 0; i < mine.size(); i++) {
            if (i == SHOWN) {
                message.append("\n---- and ").append(mine.size() - SHOWN).append(" more (see the test output)");
                break;
            }
            Report r = mine.get(i);
            message.append("\n---- [").append(i + 1).append("] ").append(format(r));
        }
        throw new AssertionError(message.toString());
    }

    /** Puts back the handler and the hooks if something removed them. */
    private static void ensureInstalled() {
        if (!Arrays.asList(ROOT.getHandlers()).contains(SEVERE_RECORDER)) {
            ROOT.addHandler(SEVERE_RECORDER);
        }
        if (!Arrays.asList(PROBE.getHandlers()).contains(SEVERE_RECORDER)) {
            PROBE.setUseParentHandlers(false);
            PROBE.addHandler(SEVERE_RECORDER);
        }
        errorHookReached.set(false);
        Operators.onErrorDropped(PROBE_ERROR, Context.empty());
        if (!errorHookReached.get()) {
            Hooks.onErrorDropped(ON_ERROR_DROPPED);
        }
        nextHookReached.set(false);
        Operators.onNextDropped(PROBE_VALUE, Context.empty());
        if (!nextHookReached.get()) {
            Hooks.onNextDropped(ON_NEXT_DROPPED);
        }
    }

    /** Fails unless Reactor's and Netty's loggers both reach the recorder (java.util.logging). */
    private static void checkLoggingBackends() {
        probeLogged.set(false);
        Loggers.getLogger(PROBE_LOGGER).error("ErrorDetectionExtension probe (not an error)");
        if (!probeLogged.get()) {
            throw new IllegalStateException("Reactor's Loggers do not log through java.util.logging (an SLF4J "
                    + "binding on the test classpath, or -D" + FALLBACK_PROPERTY + " other than JDK?): "
                    + "ErrorDetectionExtension would not see its ERROR logs");
        }
        probeLogged.set(false);
        InternalLoggerFactory.getInstance(PROBE_LOGGER).error("ErrorDetectionExtension probe (not an error)");
        if (!probeLogged.get()) {
            throw new IllegalStateException("Netty's InternalLoggerFactory does not log through java.util.logging ("
                    + InternalLoggerFactory.getDefaultFactory().getClass().getName()
                    + "): ErrorDetectionExtension would not see its ERROR logs");
        }
    }

    private static Report record(String kind, String source, String message, String stack) {
        synchronized (LOCK) {
            Report report = new Report(sequence++, kind, source, Thread.currentThread().getName(), during, message,
                    stack);
            PENDING.add(report);
            return report;
        }
    }

    private static String format(Report r) {
        return r.kind() + " by " + r.source() + " on thread " + r.thread() + ", " + r.during() + ":\n"
                + (r.message() == null ? "" : r.message() + "\n") + r.stack();
    }

    private static String nameOf(ExtensionContext context) {
        if (context == null) {
            return "?";
        }
        return context.getTestClass().map(Class::getName).orElseGet(context::getDisplayName);
    }

    private static String describe(Object value) {
        String text = value.getClass().getName() + ": " + value;
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private static String stackOf(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out, true));
        return out.toString();
    }

    /** The current thread's stack, without its top frames of this class and of the {@code skipped} prefixes. */
    private static String hereWithout(String... skipped) {
        StackTraceElement[] frames = new Throwable().getStackTrace();
        int first = 0;
        while (first < frames.length && isSkipped(frames[first].getClassName(), skipped)) {
            first++;
        }
        StringBuilder out = new StringBuilder();
        int last = Math.min(frames.length, first + CALL_SITE_FRAMES);
        for (int i = first; i < last; i++) {
            out.append("\tat ").append(frames[i]).append('\n');
        }
        if (last < frames.length) {
            out.append("\t... ").append(frames.length - last).append(" more\n");
        }
        return out.toString();
    }

    private static boolean isSkipped(String className, String... skipped) {
        String self = ErrorDetectionExtension.class.getName();
        if (className.equals(self) || className.startsWith(self + "$")) {
            return true;
        }
        for (String prefix : skipped) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The probe sent through the error hook: no stack trace, a message that says what it is. */
    private static final class ProbeError extends RuntimeException {
        ProbeError() {
            super("ErrorDetectionExtension probe: is its Hooks.onErrorDropped hook installed? (not an error)", null,
                    false, false);
        }
    }
}
