package io.fluxsocket.internal;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.Hex;
import io.fluxsocket.testing.RawServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static io.fluxsocket.testing.RawServer.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Streamed receive: a message is emitted at its first frame, the next only after the current
 * content ended or was cancelled; cancelling a content skips the rest of that message only;
 * cancelling {@code receive()} lets the current content finish.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamedMessagesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(1))
            .receiveMode(ReceiveMode.STREAMED)
            .build();

    private static MessageWebSocket open(RawServer server) {
        return server.connectMessages(CLIENT);
    }

    @Test
    void aMessageIsEmittedAtItsFirstFrameAndItsContentFollowsTheFrames() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server);
            StepVerifier.create(ws.receive().concatMap(m -> m.content().map(b -> (m.isText() ? "t:" : "b:") + Hex.of(b))))
                    .then(() -> server.write(frame(false, 0, Frame.TEXT, false, Hex.bytes("41"))))
                    .expectNext("t:41")
                    .then(() -> server.write(frame(false, 0, Frame.CONTINUATION, false, Hex.bytes("42"))))
                    .expectNext("t:42")
                    .then(() -> server.write(frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("43")),
                            frame(true, 0, Frame.BINARY, false, Hex.bytes("ff")),
                            frame(true, 0, Frame.CLOSE, false, RawServer.closePayload(1000, ""))))
                    .expectNext("t:43", "b:ff")
                    .verifyComplete();
        }
    }

    @Test
    void theNextMessageIsEmittedOnlyAfterTheCurrentContentEnded() throws InterruptedException {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server);
            server.write(frame(false, 0, Frame.BINARY, false, Hex.bytes("01")),
                    frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("02")),
                    frame(true, 0, Frame.BINARY, false, Hex.bytes("03")));
            BlockingQueue<WebSocketMessage> emitted = new LinkedBlockingQueue<>();
            // Unbounded demand for messages; the first content is not subscribed yet, so the second must wait.
            // The test ends by closing TCP without a Close frame: receive() then fails with
            // CONNECTION_ABORTED, as it should; nothing here is about that.
            ws.receive().subscribe(emitted::add, aborted -> { });
            WebSocketMessage first = emitted.poll(5, TimeUnit.SECONDS);
            assertNull(emitted.poll(300, TimeUnit.MILLISECONDS), "the second message waits for the first content");
            StepVerifier.create(first.content().map(Hex::of)).expectNext("01", "02").verifyComplete();
            WebSocketMessage second = emitted.poll(5, TimeUnit.SECONDS);
            StepVerifier.create(second.content().map(Hex::of)).expectNext("03").verifyComplete();
        }
    }

    @Test
    void cancellingAContentSkipsTheRestOfThatMessageOnly() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server);
            StepVerifier.create(ws.receive().concatMap(m -> m.content().take(1).map(Hex::of)))
                    .then(() -> server.write(frame(false, 0, Frame.BINARY, false, Hex.bytes("01"))))
                    .expectNext("01")
                    // The rest of the first message arrives after its content was cancelled: skipped.
                    .then(() -> server.write(frame(false, 0, Frame.CONTINUATION, false, Hex.bytes("02")),
                            frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("03")),
                            frame(true, 0, Frame.BINARY, false, Hex.bytes("04")),
                            frame(true, 0, Frame.CLOSE, false, RawServer.closePayload(1000, ""))))
                    .expectNext("04")
                    .verifyComplete();
        }
    }

    @Test
    void cancellingReceiveLetsTheCurrentContentFinish() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server);
            StepVerifier.create(ws.receive().take(1).concatMap(m -> m.content().map(Hex::of)))
                    .then(() -> server.write(frame(false, 0, Frame.BINARY, false, Hex.bytes("01")),
                            frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("02")),
                            frame(true, 0, Frame.BINARY, false, Hex.bytes("03"))))
                    .expectNext("01", "02")
                    .verifyComplete();
            // What follows is read and dropped: the connection still closes cleanly.
            ws.close().block(WAIT);
            server.readFrame().assertClose(1000);
        }
    }

    @Test
    void aCloseInTheMiddleOfAMessageEndsItsContentWithClosed() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server);
            StepVerifier.create(ws.receive().concatMap(m -> m.content().map(Hex::of)))
                    .then(() -> server.write(frame(false, 0, Frame.BINARY, false, Hex.bytes("01")),
                            frame(true, 0, Frame.CLOSE, false, RawServer.closePayload(1000, ""))))
                    .expectNext("01")
                    .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.CLOSED, WebSocketError.status(e)))
                    .verify(WAIT);
            assertEquals(1000, ws.closeStatus().block(WAIT).code());
        }
    }

    @Test
    void aContentAcceptsOneSubscriber() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server);
            server.write(frame(true, 0, Frame.BINARY, false, Hex.bytes("01")));
            WebSocketMessage m = ws.receive().blockFirst(WAIT);
            Flux<ByteBuffer> content = m.content();
            StepVerifier.create(content.map(Hex::of)).expectNext("01").verifyComplete();
            StepVerifier.create(content).expectError(IllegalStateException.class).verify(WAIT);
        }
    }
}
