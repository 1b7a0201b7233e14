package io.fluxsocket.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Fails a test class when Netty reports a leaked buffer. Registered for every test class through
 * {@code META-INF/services} (JUnit extension auto-detection). Netty reports leaks through its
 * logger when a leaked buffer is garbage collected and a later allocation polls the reference
 * queue; so after each class this runs the collector, allocates to trigger the poll, and fails if
 * any {@code LEAK:} report was logged since the class started.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

    /** Every LEAK report seen, from any thread. */
    private static final List<String> LEAKS = new ArrayList<>();
    private static final Handler RECORDER = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (message != null && message.contains("LEAK:")) {
                synchronized (LEAKS) {
                    LEAKS.add(message);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Netty's leak logger, held here: java.util.logging keeps loggers weakly, and a collected one
     * would come back without the recorder, silently switching the check off.
     */
    private static final Logger NETTY_LEAK_LOGGER = Logger.getLogger(ResourceLeakDetector.class.getName());

    static {
        NETTY_LEAK_LOGGER.addHandler(RECORDER);
        NETTY_LEAK_LOGGER.setLevel(Level.ALL);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            throw new IllegalStateException("Netty leak detection is disabled: run with -Dio.netty.leakDetection.level");
        }
        collectLeaks();
        synchronized (LEAKS) {
            LEAKS.clear();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during "
                    + context.getDisplayName() + ":\n" + String.join("\n----\n", leaks));
        }
    }

    /**
     * The same check for a test engine without Jupiter's extensions (jqwik): call before the
     * container's first test; {@link #assertNoLeakSinceStart(String)} after its last.
     */
    public static void startRecording() {
        collectLeaks();
        synchronized (LEAKS) {
            LEAKS.clear();
        }
    }

    /** Fails if Netty reported a leak since {@link #startRecording()}. */
    public static void assertNoLeakSinceStart(String container) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during " + container + ":\n"
                    + String.join("\n----\n", leaks));
        }
    }

    /** Makes Netty report what the collector found unreachable, and returns the reports so far. */
    private static List<String> collectLeaks() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < 200; i++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(1);
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(1);
                ByteBuf c = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
                a.release();
                b.release();
                c.release();
            }
        }
        synchronized (LEAKS) {
            return new ArrayList<>(LEAKS);
        }
    }
}
