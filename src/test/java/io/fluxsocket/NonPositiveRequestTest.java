package io.fluxsocket;

import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reactive Streams §3.9: {@code request(n <= 0)} on any inbound flux ends that subscription with
 * {@code onError(IllegalArgumentException)}, as a cancel would end it; the connection goes on, and
 * a later {@code close()} finishes its closing handshake cleanly (the server's 1000, not the close
 * timeout), since what arrives is read and dropped.
 */
@Timeout(30)
class NonPositiveRequestTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Pushes 64 frames of 64 KiB (more than the receive budget), then listens for the Close. */
    private static TestServer pushing() {
        int frame = 64 * 1024;
        return new TestServer((in, out) -> Mono.when(
                out.sendObject(Flux.range(0, 64).map(i -> new BinaryWebSocketFrame(
                        Unpooled.wrappedBuffer(BytePattern.chunk((long) i * frame, frame))))),
                in.receiveFrames().then()));
    }

    @Test
    void requestZeroOnStreamReceiveErrorsItAndTheConnectionClosesCleanly() {
        try (TestServer server = pushing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(WAIT);
            assertIllegalArgument(ws.receive(), 0);
            assertClosesCleanly(ws.close(), ws.closeStatus());
        }
    }

    @Test
    void aNegativeRequestOnReceiveInPlaceErrorsItAndTheConnectionClosesCleanly() {
        try (TestServer server = pushing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(WAIT);
            assertIllegalArgument(ws.receive(ByteBuffer::remaining), -1);
            assertClosesCleanly(ws.close(), ws.closeStatus());
        }
    }

    @Test
    void requestZeroOnWholeMessagesErrorsReceiveAndTheConnectionClosesCleanly() {
        try (TestServer server = pushing()) {
            MessageWebSocket ws = WebSocketClient.create().connectMessages(server.uri()).block(WAIT);
            assertIllegalArgument(ws.receive(), 0);
            assertClosesCleanly(ws.close(), ws.closeStatus());
        }
    }

    @Test
    void requestZeroOnAStreamedContentErrorsItAndTheConnectionClosesCleanly() {
        try (TestServer server = pushing()) {
            MessageWebSocket ws = WebSocketClient.builder().receiveMode(ReceiveMode.STREAMED).build()
                    .connectMessages(server.uri()).block(WAIT);
            WebSocketMessage first = ws.receive().next().block(WAIT);
            assertIllegalArgument(first.content(), 0);
            assertClosesCleanly(ws.close(), ws.closeStatus());
        }
    }

    /** Subscribes, requests {@code n} from onSubscribe, and expects only an IllegalArgumentException. */
    private static void assertIllegalArgument(Publisher<?> flux, long n) {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        flux.subscribe(new BaseSubscriber<Object>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(n);
            }

            @Override
            protected void hookOnNext(Object value) {
                error.completeExceptionally(new AssertionError("onNext after request(" + n + "): " + value));
            }

            @Override
            protected void hookOnError(Throwable t) {
                error.complete(t);
            }

            @Override
            protected void hookOnComplete() {
                error.completeExceptionally(new AssertionError("completed after request(" + n + ")"));
            }
        });
        Throwable e = error.orTimeout(10, TimeUnit.SECONDS).join();
        assertInstanceOf(IllegalArgumentException.class, e);
        assertTrue(e.getMessage().startsWith("§3.9"), e.getMessage());
    }

    private static void assertClosesCleanly(Mono<Void> close, Mono<CloseStatus> closeStatus) {
        close.block(WAIT);
        CloseStatus status = closeStatus.block(WAIT);
        assertEquals(1000, status.code(), () -> "closeStatus " + status);
        assertTrue(status.remote(), () -> "the server answered: " + status);
    }
}
