package io.fluxsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * {@link StreamWebSocket#receive(java.util.function.Function)}: received bytes read in place. Leak
 * detection (PARANOID, as in every functional test) fails any of these if a retained piece is not
 * released on its path: read, cancelled, refused, or left queued when the connection ends.
 */
@Timeout(60)
class ReceiveInPlaceTest {

    private static final int FRAME = 4096;

    private static TestServer pushing(int frames) {
        return TestServer.pushing(frames, FRAME);
    }

    private static StreamWebSocket connect(java.net.URI uri) {
        return WebSocketClient.create().connect(uri).block(Duration.ofSeconds(10));
    }

    @Test
    void theReaderSeesEveryByteInOrderThroughReadOnlyViews() {
        try (TestServer server = pushing(300)) {
            StreamWebSocket ws = connect(server.uri());
            BytePattern.Checker checker = new BytePattern.Checker();
            AtomicInteger writable = new AtomicInteger();
            Long total = ws.receive(piece -> {
                if (!piece.isReadOnly()) {
                    writable.incrementAndGet();
                }
                int n = piece.remaining();
                checker.accept(piece);
                return (long) n;
            }).reduce(0L, Long::sum).block(Duration.ofSeconds(20));
            assertEquals(300L * FRAME, total);
            assertEquals(300L * FRAME, checker.offset(), "every byte, in order");
            assertEquals(0, writable.get(), "every view is read-only");
        }
    }

    @Test
    void theReaderRunsOnlyForWhatIsRequested() {
        try (TestServer server = pushing(50)) {
            StreamWebSocket ws = connect(server.uri());
            AtomicInteger calls = new AtomicInteger();
            AtomicLong bytes = new AtomicLong();
            StepVerifier.create(ws.receive(piece -> {
                        calls.incrementAndGet();
                        bytes.addAndGet(piece.remaining());
                        return piece.remaining();
                    }), 0)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(100))
                    .then(() -> assertEquals(0, calls.get(), "nothing requested: the reader is not called"))
                    .thenRequest(3)
                    .expectNextCount(3)
                    // A socket read brings several frames; those beyond the demand wait, not passed to the reader.
                    .expectNoEvent(Duration.ofMillis(100))
                    .then(() -> assertEquals(3, calls.get()))
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(n -> true)
                    .verifyComplete();
            assertEquals(50L * FRAME, bytes.get());
        }
    }

    /**
     * The server sends everything and its Close while nobody requests: the connection ends with
     * pieces queued, which become heap copies then; a late request still gets them all.
     */
    @Test
    void piecesQueuedWhenTheConnectionEndsAreStillRead() {
        try (TestServer server = pushing(10)) {
            StreamWebSocket ws = connect(server.uri());
            BytePattern.Checker checker = new BytePattern.Checker();
            Flux<Integer> pieces = ws.receive(piece -> {
                int n = piece.remaining();
                checker.accept(piece);
                return n;
            });
            StepVerifier.create(pieces, 0)
                    .expectSubscription()
                    .then(() -> assertEquals(1000, ws.closeStatus().block(Duration.ofSeconds(10)).code()))
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(n -> true)
                    .verifyComplete();
            assertEquals(10L * FRAME, checker.offset());
        }
    }

    @Test
    void aThrowingReaderErrorsTheFluxAndTheConnectionStaysUsable() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = connect(server.uri());
            IllegalStateException boom = new IllegalStateException("boom");
            Mono<Void> failed = ws.receive(piece -> {
                throw boom;
            }).then();
            StepVerifier.create(failed)
                    .then(() -> ws.send(Mono.just(ByteBuffer.allocate(100))).subscribe())
                    .expectErrorSatisfies(e -> assertSame(boom, e))
                    .verify(Duration.ofSeconds(10));
            // Later data is read and dropped; sending and closing still work.
            ws.send(Flux.range(0, 20).map(i -> ByteBuffer.allocate(10_000))).block(Duration.ofSeconds(10));
            Await.until(() -> ws.info().bytesReceived() == 200_100, Duration.ofSeconds(10), "the echoes were read");
            ws.close().block(Duration.ofSeconds(10));
            assertEquals(1000, ws.closeStatus().block(Duration.ofSeconds(10)).code());
        }
    }

    @Test
    void aNullResultIsAnError() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = connect(server.uri());
            StepVerifier.create(ws.receive(piece -> null))
                    .then(() -> ws.send(Mono.just(ByteBuffer.allocate(10))).subscribe())
                    .expectErrorSatisfies(e -> {
                        assertTrue(e instanceof NullPointerException, e.toString());
                        assertTrue(e.getMessage().contains("null"), e.getMessage());
                    })
                    .verify(Duration.ofSeconds(10));
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void itSharesReceivesOneSubscriber() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = connect(server.uri());
            ws.receive(ByteBuffer::remaining).subscribe();
            StepVerifier.create(ws.receive())
                    .expectError(IllegalStateException.class)
                    .verify(Duration.ofSeconds(5));
            StepVerifier.create(ws.receive(ByteBuffer::remaining))
                    .expectError(IllegalStateException.class)
                    .verify(Duration.ofSeconds(5));
            ws.close().block(Duration.ofSeconds(10));
        }
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = connect(server.uri());
            ws.receive().subscribe();
            StepVerifier.create(ws.receive(ByteBuffer::remaining))
                    .expectError(IllegalStateException.class)
                    .verify(Duration.ofSeconds(5));
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void cancellingDropsQueuedPiecesAndLaterData() {
        try (TestServer server = pushing(40)) {
            StreamWebSocket ws = connect(server.uri());
            StepVerifier.create(ws.receive(ByteBuffer::remaining), 1)
                    .expectNextCount(1)
                    .then(() -> Await.until(() -> ws.info().bytesReceived() > FRAME, Duration.ofSeconds(10),
                            "more than one piece arrived and is queued"))
                    .thenCancel()
                    .verify(Duration.ofSeconds(10));
            Await.until(() -> ws.info().bytesReceived() == 40L * FRAME, Duration.ofSeconds(10),
                    "the rest is read and dropped");
            assertEquals(1000, ws.closeStatus().block(Duration.ofSeconds(10)).code());
        }
    }

    @Test
    void aNullReaderIsRefusedNamingIt() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = connect(server.uri());
            NullPointerException e = assertThrows(NullPointerException.class, () -> ws.receive(null));
            assertEquals("reader", e.getMessage());
            assertFalse(ws.closeStatus().toFuture().isDone());
            ws.close().block(Duration.ofSeconds(10));
        }
    }
}
