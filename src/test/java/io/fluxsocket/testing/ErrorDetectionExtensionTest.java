package io.fluxsocket.testing;

import io.netty.util.internal.logging.InternalLoggerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Optional;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.util.Loggers;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The error check itself must be able to fail: each test opens a check of its own (nested in this
 * class's), makes Reactor drop something or logs at ERROR, and expects the check to fail naming it;
 * the nested check takes what it reports, so this class's own check stays clean.
 */
class ErrorDetectionExtensionTest {

    private final ErrorDetectionExtension extension = new ErrorDetectionExtension();

    @Test
    void anErrorSignalledAfterCompletionFailsTheClassWithItsStackAndWhereItWasDropped() {
        extension.beforeAll(context());
        Flux.from(misbehaving(s -> s.onError(new IllegalStateException("failed after completing")))).map(String::length)
                .subscribe(n -> { }, e -> { });

        String report = failure();
        assertTrue(report.startsWith("1 error(s) dropped by Reactor or logged at ERROR during check of the check"), report);
        assertTrue(report.contains("dropped error by Hooks.onErrorDropped on thread "), report);
        assertTrue(report.contains(":\njava.lang.IllegalStateException: failed after completing\n"), report);
        // The error's own stack trace, then where Reactor dropped it.
        assertTrue(report.contains("\tat " + getClass().getName() + ".lambda$anErrorSignalledAfterCompletion"), report);
        assertTrue(report.contains("dropped at:\n\tat reactor.core.publisher.Operators.onErrorDropped("), report);
    }

    @Test
    void anErrorWithoutAnErrorHandlerFailsTheClass() {
        extension.beforeAll(context());
        Mono.error(new IllegalStateException("nobody handles this")).subscribe();

        String report = failure();
        assertTrue(report.contains("dropped error by Hooks.onErrorDropped on thread "), report);
        assertTrue(report.contains("ErrorCallbackNotImplemented: java.lang.IllegalStateException: nobody handles this"),
                report);
    }

    @Test
    void aValueSignalledAfterCompletionFailsTheClass() {
        extension.beforeAll(context());
        Flux.from(misbehaving(s -> s.onNext("too late"))).map(String::length).subscribe();

        String report = failure();
        assertTrue(report.contains("dropped value by Hooks.onNextDropped on thread "), report);
        assertTrue(report.contains("java.lang.String: too late"), report);
        assertTrue(report.contains("dropped at:\n\tat reactor.core.publisher.Operators.onNextDropped("), report);
    }

    @Test
    void errorsLoggedThroughReactorAndNettyFailTheClassWithLoggerMessageAndStack() {
        extension.beforeAll(context());
        Loggers.getLogger("io.fluxsocket.test.reactor").error("reactor says no", new IllegalStateException("r"));
        InternalLoggerFactory.getInstance("io.fluxsocket.test.netty").error("netty says {}", "no");

        String report = failure();
        assertTrue(report.startsWith("2 error(s)"), report);
        assertTrue(report.contains("logged at SEVERE by io.fluxsocket.test.reactor on thread "), report);
        assertTrue(report.contains(":\nreactor says no\njava.lang.IllegalStateException: r\n\tat "), report);
        assertTrue(report.contains("logged at SEVERE by io.fluxsocket.test.netty on thread "), report);
        assertTrue(report.contains(":\nnetty says no\nlogged at:\n"), report);
        // Without a throwable, where it was logged from, starting at the logging library's frame.
        assertTrue(report.contains("\tat " + getClass().getName() + ".errorsLoggedThrough"), report);
    }

    @Test
    void aTaskThatThrowsOnANettyEventLoopFailsTheClass() throws Exception {
        extension.beforeAll(context());
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            // Executed, not submitted: a submitted task's exception goes to its future, unlogged.
            java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
            group.execute(() -> {
                ran.countDown();
                throw new IllegalStateException("an executed task threw");
            });
            ran.await();
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).await();
        }

        String report = failure();
        assertTrue(report.contains("logged at WARNING by io.netty.util.concurrent.AbstractEventExecutor on thread "), report);
        assertTrue(report.contains("java.lang.IllegalStateException: an executed task threw"), report);
    }

    @Test
    void hooksResetBySomethingElseArePutBackBeforeTheNextClass() {
        Hooks.resetOnErrorDropped();
        Hooks.resetOnNextDropped();
        extension.beforeAll(context());
        Mono.error(new IllegalStateException("after a reset")).subscribe();

        assertTrue(failure().contains("after a reset"));
    }

    @Test
    void aNestedCheckReportsOnlyWhatArrivedSinceItBeganAndTheOuterOneTheRest() {
        ErrorDetectionExtension inner = new ErrorDetectionExtension();
        extension.beforeAll(context());
        Loggers.getLogger("io.fluxsocket.test.outer").error("outer");
        inner.beforeAll(context());
        Loggers.getLogger("io.fluxsocket.test.inner").error("inner");

        String innerReport = assertThrows(AssertionError.class, () -> inner.afterAll(context())).getMessage();
        String outerReport = failure();
        assertTrue(innerReport.startsWith("1 error(s)") && innerReport.contains("\ninner\n"), innerReport);
        assertTrue(outerReport.startsWith("1 error(s)") && outerReport.contains("\nouter\n"), outerReport);
    }

    @Test
    void aReactorThatLogsElsewhereFailsTheClassBeforeItRunsRatherThanGoBlind() {
        Loggers.useConsoleLoggers();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> extension.beforeAll(context()));
            assertTrue(e.getMessage().startsWith("Reactor's Loggers do not log through java.util.logging"), e.getMessage());
        } finally {
            Loggers.resetLoggerFactory(); // back to java.util.logging (reactor.logging.fallback=JDK)
        }
        extension.beforeAll(context());
        assertDoesNotThrow(() -> extension.afterAll(context()));
    }

    @Test
    void warningsAndQuietRunsPass() {
        extension.beforeAll(context());
        Loggers.getLogger("io.fluxsocket.test.reactor").warn("only a warning");
        Mono.just(1).block();
        assertDoesNotThrow(() -> extension.afterAll(context()));
    }

    /** A publisher that completes and then, against the rules, signals {@code afterwards}. */
    private static Publisher<String> misbehaving(Consumer<Subscriber<? super String>> afterwards) {
        return subscriber -> {
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onComplete();
            afterwards.accept(subscriber);
        };
    }

    private String failure() {
        return assertThrows(AssertionError.class, () -> extension.afterAll(context())).getMessage();
    }

    private static ExtensionContext context() {
        return (ExtensionContext) java.lang.reflect.Proxy.newProxyInstance(
                ErrorDetectionExtensionTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> method.getName().equals("getDisplayName") ? "check of the check"
                        : method.getReturnType() == Optional.class ? Optional.empty() : null);
    }
}
