package io.fluxsocket;

import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The closing handshake of RFC 6455 §7 against an in-process server, in both directions. */
@Timeout(60)
class ClosingHandshakeTest {

    /**
     * A server that pushes {@code frames} frames and also reads, so it sees the client's Close.
     * (One that never reads closes TCP with that Close unread, and the kernel then sends a reset
     * that discards what the client had not read yet.)
     */
    private static TestServer pushingAndListening(int frames, int frame) {
        return new TestServer((in, out) -> Mono.when(
                out.sendObject(Flux.range(0, frames)
                        .map(i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(BytePattern.chunk((long) i * frame, frame))))),
                in.receiveFrames().then()));
    }

    @Test
    void closeSendsItsCodeAndReasonAndReportsTheServersAnswer() {
        Sinks.One<WebSocketCloseStatus> seen = Sinks.one();
        try (TestServer server = new TestServer((in, out) -> in.receiveCloseStatus().doOnNext(seen::tryEmitValue).then())) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            StepVerifier.create(ws.receive().then(Mono.empty()).and(ws.close(4000, "done")))
                    .verifyComplete();
            WebSocketCloseStatus atServer = seen.asMono().block(Duration.ofSeconds(5));
            assertEquals(4000, atServer.code());
            assertEquals("done", atServer.reasonText());
            CloseStatus status = ws.closeStatus().block(Duration.ofSeconds(5));
            assertEquals(4000, status.code(), "the server echoed the code");
            assertTrue(status.remote());
        }
    }

    @Test
    void closeGoesAfterTheMessageInFlight() {
        AtomicLong received = new AtomicLong();
        try (TestServer server = new TestServer((in, out) -> in.receiveFrames()
                .doOnNext(f -> received.addAndGet(f.content().readableBytes())).then())) {
            // A close timeout long enough for a loaded machine: the server answers once it read all.
            StreamWebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(60)).build()
                    .connect(server.uri()).block(Duration.ofSeconds(10));
            int chunk = 64 * 1024;
            Mono<Void> upload = ws.send(Flux.range(0, 64).map(i -> BytePattern.chunk((long) i * chunk, chunk))
                    .publishOn(Schedulers.parallel(), 2));
            Sinks.Empty<Void> uploaded = Sinks.empty();
            upload.subscribe(null, uploaded::tryEmitError, uploaded::tryEmitEmpty);
            ws.close().block(Duration.ofSeconds(60));
            StepVerifier.create(uploaded.asMono()).verifyComplete();
            assertTrue(ws.closeStatus().block(Duration.ofSeconds(5)).remote(), "the server answered the Close");
            assertEquals(64L * chunk, received.get(), "the whole message arrived before the Close");
            assertEquals(64L * chunk, ws.info().bytesSent());
        }
    }

    @Test
    void closeIsBoundedByTheCloseTimeoutWhenTheMessageInFlightStalls() {
        WebSocketClient client = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(1)).build();
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = client.connect(server.uri()).block(Duration.ofSeconds(10));
            // A message whose publisher never completes: its Close can never be sent after it.
            Mono<Void> stalled = ws.send(Flux.just(ByteBuffer.wrap(new byte[10])).concatWith(Flux.never()));
            Sinks.One<Throwable> sendError = Sinks.one();
            stalled.subscribe(null, sendError::tryEmitValue);
            ws.receive().subscribe(null, e -> { });
            ws.close().block(Duration.ofSeconds(8));
            assertEquals(WebErrorStatus.TIMEOUT, WebSocketError.status(sendError.asMono().block(Duration.ofSeconds(5))));
            assertEquals(CloseStatus.ABNORMAL_CLOSURE, ws.closeStatus().block(Duration.ofSeconds(5)).code());
        }
    }

    @Test
    void sendsAfterCloseFailWithClosedAndCloseIsIdempotent() {
        try (TestServer server = new TestServer((in, out) -> in.receiveFrames().then())) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            Mono<Void> first = ws.close(1000, "one");
            first.block(Duration.ofSeconds(10));
            ws.close(4001, "two").block(Duration.ofSeconds(10));
            StepVerifier.create(ws.send(Mono.just(ByteBuffer.allocate(1))))
                    .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.CLOSED, WebSocketError.status(e)))
                    .verify(Duration.ofSeconds(5));
            assertEquals(1000, ws.closeStatus().block(Duration.ofSeconds(5)).code(), "one Close was sent");
        }
    }

    @Test
    void theServersCloseCompletesReceiveAfterTheDataSentBeforeIt() {
        int frames = 10;
        try (TestServer server = new TestServer((in, out) -> out.sendObject(Flux.range(0, frames)
                        .map(i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(BytePattern.chunk(i * 1000L, 1000)))))
                .then()
                .then(out.sendClose(4001, "bye")))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            CloseStatus status = ws.closeStatus().block(Duration.ofSeconds(10));
            assertEquals(new CloseStatus(4001, "bye", true), status);

            // Subscribed only after the connection closed: the data sent before the Close is all there.
            BytePattern.Checker checker = new BytePattern.Checker();
            StepVerifier.create(ws.receive().doOnNext(checker::accept)).expectNextCount(frames).verifyComplete();
            assertEquals(frames * 1000L, checker.offset());
        }
    }

    @Test
    void aSlowSubscriberGetsEveryByteThatArrivesWhileClosing() {
        try (TestServer server = TestServer.echoing()) {
            // The close waits for the 4 MiB of echoes ahead of the server's Close, read at the
            // subscriber's pace (1 ms a piece): on a loaded machine that outlasts the 5 s default.
            StreamWebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(60)).build()
                    .connect(server.uri()).block(Duration.ofSeconds(10));
            int chunk = 64 * 1024;
            // Slower than the socket: echoes pile up behind its demand while the handshake runs.
            Mono<Long> all = ws.receive().delayElements(Duration.ofMillis(1), Schedulers.single())
                    .map(b -> (long) b.remaining()).reduce(0L, Long::sum).cache();
            all.subscribe();
            ws.send(Flux.range(0, 64).map(i -> ByteBuffer.allocate(chunk))).block(Duration.ofSeconds(10));
            ws.close().block(Duration.ofSeconds(60));
            assertEquals(64L * chunk, all.block(Duration.ofSeconds(10)), "nothing dropped while closing");
            assertEquals(64L * chunk, ws.info().bytesReceived());
        }
    }

    @Test
    void closeCompletesWhileReceiveIsNeverSubscribedAndTheServerKeepsSending() {
        int frame = 64 * 1024;
        try (TestServer server = pushingAndListening(1024, frame)) {
            StreamWebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(20)).build()
                    .connect(server.uri()).block(Duration.ofSeconds(10));
            ws.close(1000, "enough").block(Duration.ofSeconds(30));
            CloseStatus status = ws.closeStatus().block(Duration.ofSeconds(5));
            assertEquals(1000, status.code());
            assertTrue(status.remote(), "the server's Close arrived: the client read past the data to it");
        }
    }

    @Test
    void closeFinishesWhileTheSubscriberIsPaused() {
        int frame = 64 * 1024;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (TestServer server = pushingAndListening(1024, frame)) {
            StreamWebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(20)).build()
                    .connect(server.uri()).block(Duration.ofSeconds(10));
            StepVerifier.Step<ByteBuffer> paused = StepVerifier.create(ws.receive(), 3).expectNextCount(3);
            paused.then(() -> ws.close().subscribe(null, failure::set)).thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(b -> true)
                    .verifyComplete();
            assertEquals(1000, ws.closeStatus().block(Duration.ofSeconds(20)).code());
            assertEquals(null, failure.get());
            assertNotNull(ws.info().remoteAddress());
        }
    }
}
