package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.testing.RawServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The connect's hand-off: a connection that comes after the connect was cancelled or timed out is
 * closed, never dropped — whether it reaches the hand-off (an upstream that ignores the cancel, as
 * a handshake that succeeds as the cancel travels up does) or is discarded on its way (an upstream
 * that honours the cancel and discards what comes after it). Deterministic: the connection, a real
 * one to a {@link RawServer}, is only given to the upstream once the connect has ended.
 */
class HandOffTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aConnectionThatArrivesAfterTheTimeoutIsClosed() throws Exception {
        for (boolean ignoresCancel : new boolean[] {true, false}) {
            CompletableFuture<WebSocketConnection> later = new CompletableFuture<>();
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            new HandOff(upstream(later, ignoresCancel), Duration.ofMillis(1),
                    () -> new WebSocketException(WebErrorStatus.TIMEOUT, "timed out"))
                    .subscribe(c -> failure.completeExceptionally(new AssertionError("delivered " + c)),
                            failure::complete);
            Throwable error = failure.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertInstanceOf(WebSocketException.class, error);
            assertEquals(WebErrorStatus.TIMEOUT, ((WebSocketException) error).status());
            assertClosedWhenItComesLater(later);
        }
    }

    @Test
    void aConnectionThatArrivesAfterTheCancelIsClosed() throws Exception {
        for (boolean ignoresCancel : new boolean[] {true, false}) {
            CompletableFuture<WebSocketConnection> later = new CompletableFuture<>();
            CompletableFuture<Object> signal = new CompletableFuture<>();
            Disposable connect = new HandOff(upstream(later, ignoresCancel), Duration.ofSeconds(60),
                    () -> new WebSocketException(WebErrorStatus.TIMEOUT, "timed out"))
                    .subscribe(signal::complete, signal::complete);
            connect.dispose();
            assertClosedWhenItComesLater(later);
            assertFalse(signal.isDone(), "the cancelled connect signalled " + signal.getNow(null));
        }
    }

    /**
     * The connection later completes with: if {@code ignoresCancel}, a publisher that delivers it
     * whatever the cancel; else {@code Mono.fromFuture}, which discards what comes after a cancel.
     */
    private static Mono<WebSocketConnection> upstream(CompletableFuture<WebSocketConnection> later,
            boolean ignoresCancel) {
        if (!ignoresCancel) {
            return Mono.fromFuture(later, true);
        }
        return Mono.fromDirect(s -> {
            s.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            later.thenAccept(c -> {
                s.onNext(c);
                s.onComplete();
            });
        });
    }

    /** Opens a real connection, completes {@code later} with it, and waits for the client to close it. */
    private static void assertClosedWhenItComesLater(CompletableFuture<WebSocketConnection> later) {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<WebSocketConnection> open = new DefaultWebSocketClient(config())
                    .open(server.uri(), null, Mode.STREAM).toFuture();
            server.acceptHandshake();
            server.respond101();
            later.complete(open.join());
            server.expectEof(WAIT);
        }
    }

    private static ClientConfig config() {
        return new ClientConfig(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(5), true,
                Map.of(), List.of(), 1 << 20, 1 << 20, 256 * 1024, 1 << 20, ReceiveMode.WHOLE);
    }
}
