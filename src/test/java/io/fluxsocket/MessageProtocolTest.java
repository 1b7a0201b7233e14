package io.fluxsocket;

import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.Hex;
import io.fluxsocket.testing.RawServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static io.fluxsocket.testing.RawServer.concat;
import static io.fluxsocket.testing.RawServer.frame;
import static io.fluxsocket.testing.RawServer.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Message mode against a server that writes frames byte by byte as each case needs: fragments,
 * code points split across frames, pings between fragments, the message size limit read from frame
 * headers, and the violations that fail the connection (1002, 1007, 1009).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MessageProtocolTest {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** "κόσμε" with U+1F79 (the Autobahn test string): ce ba, e1 bd b9, cf 83, ce bc, ce b5. */
    private static final String KOSME_TEXT = "\u03ba\u1f79\u03c3\u03bc\u03b5";
    private static final byte[] KOSME = KOSME_TEXT.getBytes(StandardCharsets.UTF_8);

    private static WebSocketClient.Builder client() {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(2)).closeTimeout(CLOSE_TIMEOUT);
    }

    private static MessageWebSocket open(RawServer server, WebSocketClient client) {
        return server.connectMessages(client);
    }

    @Test
    void aCodePointSplitAcrossFragmentsWithAPingBetweenArrivesWhole() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().build());
            // The first fragment ends inside U+1F79.
            StepVerifier.create(ws.receive(), 1)
                    .then(() -> server.write(
                            frame(false, 0, Frame.TEXT, false, slice(KOSME, 0, 3)),
                            frame(true, 0, Frame.PING, false, Hex.bytes("aa")),
                            frame(true, 0, Frame.CONTINUATION, false, slice(KOSME, 3, KOSME.length))))
                    .assertNext(m -> assertEquals(WebSocketMessage.text(KOSME_TEXT), m))
                    .thenCancel()
                    .verify(WAIT);
            Frame pong = server.readFrame();
            assertEquals(Frame.PONG, pong.opcode(), "the ping between fragments is answered: " + pong);
            assertEquals("aa", Hex.of(pong.payload()));
        }
    }

    @Test
    void emptyMessagesAndTheirTypesArrive() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().build());
            StepVerifier.create(ws.receive())
                    .then(() -> server.write(
                            frame(true, 0, Frame.TEXT, false, new byte[0]),
                            frame(false, 0, Frame.BINARY, false, new byte[0]),
                            frame(true, 0, Frame.CONTINUATION, false, new byte[0]),
                            frame(true, 0, Frame.CLOSE, false, RawServer.closePayload(1000, ""))))
                    .expectNext(WebSocketMessage.text(""))
                    .assertNext(m -> {
                        assertFalse(m.isText());
                        assertEquals(0, m.payload().remaining());
                    })
                    .verifyComplete();
            server.readFrame().assertClose(1000);
        }
    }

    @Test
    void aMessageOfExactlyMaxMessageSizeIsAccepted() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().maxMessageSize(1024).build());
            StepVerifier.create(ws.receive(), 1)
                    .then(() -> server.write(
                            frame(false, 0, Frame.BINARY, false, new byte[1000]),
                            frame(true, 0, Frame.CONTINUATION, false, new byte[24])))
                    .assertNext(m -> assertEquals(1024, m.payload().remaining()))
                    .thenCancel()
                    .verify(WAIT);
        }
    }

    @Test
    void aFrameHeaderThatTakesAMessagePastMaxMessageSizeFailsWith1009BeforeItsPayload() {
        // Only the header of a 1025-byte frame is written: the limit is seen without a payload byte.
        assertConnectionFailed(client().maxMessageSize(1024).build(), header(true, 0, Frame.BINARY, false, 1025),
                1009, WebErrorStatus.MESSAGE_TOO_BIG);
    }

    @Test
    void fragmentsThatTogetherPassMaxMessageSizeFailWith1009() {
        assertConnectionFailed(client().maxMessageSize(1024).build(), concat(
                        frame(false, 0, Frame.TEXT, false, new byte[600]),
                        header(true, 0, Frame.CONTINUATION, false, 600)),
                1009, WebErrorStatus.MESSAGE_TOO_BIG);
    }

    @Test
    void streamedModeHasNoMessageSizeLimit() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().maxMessageSize(1024).receiveMode(ReceiveMode.STREAMED).build());
            StepVerifier.create(ws.receive().concatMap(m -> m.content().map(b -> (long) b.remaining())).reduce(0L, Long::sum))
                    .then(() -> server.write(frame(true, 0, Frame.BINARY, false, new byte[4096]),
                            frame(true, 0, Frame.CLOSE, false, RawServer.closePayload(1000, ""))))
                    .expectNext(4096L)
                    .verifyComplete();
        }
    }

    @Test
    void textThatIsNotUtf8FailsWith1007() {
        assertConnectionFailed(client().build(), frame(true, 0, Frame.TEXT, false, Hex.bytes("c3 28")),
                1007, WebErrorStatus.INVALID_PAYLOAD);
    }

    @Test
    void textThatIsNotUtf8InALaterFragmentFailsWith1007() {
        assertConnectionFailed(client().build(), concat(
                        frame(false, 0, Frame.TEXT, false, slice(KOSME, 0, 3)),
                        frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("bd eda080"))),
                1007, WebErrorStatus.INVALID_PAYLOAD);
    }

    @Test
    void aCodePointCutOffByTheEndOfTheMessageFailsWith1007() {
        assertConnectionFailed(client().build(), frame(true, 0, Frame.TEXT, false, Hex.bytes("41 e282")),
                1007, WebErrorStatus.INVALID_PAYLOAD);
    }

    @Test
    void invalidUtf8InAStreamedMessageEndsItsContentAndTheConnectionWith1007() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().receiveMode(ReceiveMode.STREAMED).build());
            StepVerifier.create(ws.receive().concatMap(m -> m.content().map(Hex::of)))
                    .then(() -> server.write(frame(false, 0, Frame.TEXT, false, Hex.bytes("41 42"))))
                    .expectNext("4142")
                    .then(() -> server.write(frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("ff"))))
                    .expectErrorSatisfies(e -> assertFailure(e, 1007, WebErrorStatus.INVALID_PAYLOAD))
                    .verify(WAIT);
            server.readFrame().assertClose(1007);
        }
    }

    @Test
    void aNewDataFrameInsideAFragmentedMessageFailsWith1002() {
        assertConnectionFailed(client().build(), concat(
                        frame(false, 0, Frame.TEXT, false, Hex.bytes("41")),
                        frame(true, 0, Frame.BINARY, false, Hex.bytes("42"))),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void aContinuationWithoutAStartFailsWith1002() {
        assertConnectionFailed(client().receiveMode(ReceiveMode.STREAMED).build(),
                frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("41")), 1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    /**
     * Opens a message-mode connection, writes {@code violation}, and checks that the client failed
     * the connection with {@code code}: receive() errors, the Close frame carries the code, TCP is
     * closed, and closeStatus() reports the code as the client's.
     */
    private static void assertConnectionFailed(WebSocketClient client, byte[] violation, int code, WebErrorStatus status) {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client);
            StepVerifier.create(ws.receive())
                    .then(() -> server.write(violation))
                    .expectErrorSatisfies(e -> assertFailure(e, code, status))
                    .verify(WAIT);
            server.readFrame().assertClose(code);
            server.expectEof(CLOSE_TIMEOUT.plusSeconds(1));
            CloseStatus closed = ws.closeStatus().block(WAIT);
            assertEquals(code, closed.code(), () -> "closeStatus " + closed);
            assertFalse(closed.remote(), () -> "closeStatus " + closed);
        }
    }

    private static void assertFailure(Throwable e, int code, WebErrorStatus status) {
        WebSocketException w = assertInstanceOf(WebSocketException.class, e);
        assertEquals(status, w.status(), () -> "failed with " + w);
        assertEquals(code, w.closeCode(), () -> "failed with " + w);
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        byte[] part = new byte[to - from];
        System.arraycopy(bytes, from, part, 0, part.length);
        return part;
    }

}
