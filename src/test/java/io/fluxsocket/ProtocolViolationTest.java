package io.fluxsocket;

import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.Hex;
import io.fluxsocket.testing.RawServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import reactor.test.StepVerifier;

import static io.fluxsocket.testing.RawServer.concat;
import static io.fluxsocket.testing.RawServer.frame;
import static io.fluxsocket.testing.RawServer.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A server that breaks RFC 6455 after a good handshake: the client fails the connection with the
 * close code of the violation. For every case: data sent before the violation is delivered first,
 * {@code receive()} errors with the status and close code, the client's Close frame carries that
 * code (never 1005/1006/1015), TCP is closed within the close timeout, and {@code closeStatus()}
 * reports the code as the client's own ({@code remote=false}).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProtocolViolationTest {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(CLOSE_TIMEOUT)
            .build();

    /** A whole binary message the server sends before each violation: it must arrive. */
    private static final byte[] GOOD = frame(true, 0, Frame.BINARY, false, Hex.bytes("01 02 03"));

    @ParameterizedTest(name = "RSV {0}")
    @ValueSource(ints = {4, 2, 1, 7})
    void rsvBitsWithoutANegotiatedExtensionFailWith1002(int rsv) {
        assertConnectionFailed(CLIENT, frame(true, rsv, Frame.BINARY, false, Hex.bytes("aa")),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void textMessageInStreamModeFailsWith1003() {
        assertConnectionFailed(CLIENT, frame(true, 0, Frame.TEXT, false, "hi".getBytes(StandardCharsets.UTF_8)),
                1003, WebErrorStatus.UNSUPPORTED_DATA);
    }

    @Test
    void maskedServerFrameFailsWith1002() {
        assertConnectionFailed(CLIENT, frame(true, 0, Frame.BINARY, true, Hex.bytes("aa bb")),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {3, 4, 5, 6, 7})
    void reservedDataOpcodeFailsWith1002(int opcode) {
        assertConnectionFailed(CLIENT, frame(true, 0, opcode, false, Hex.bytes("aa")),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedControlOpcodeFailsWith1002(int opcode) {
        assertConnectionFailed(CLIENT, frame(true, 0, opcode, false, Hex.bytes("aa")),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void lengthWithItsMostSignificantBitSetFailsWith1002AsSoonAsItsHeaderArrives() {
        // RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0. No payload follows.
        assertConnectionFailed(CLIENT, Hex.bytes("82 7f 8000000000000005"), 1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void lengthNotInItsShortestEncodingFailsWith1002() {
        // 5 bytes announced with the 16-bit form: RFC 6455 §5.2 requires the minimal encoding.
        assertConnectionFailed(CLIENT, Hex.bytes("82 7e 0005 0102030405"), 1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void fragmentedControlFrameFailsWith1002() {
        assertConnectionFailed(CLIENT, frame(false, 0, Frame.PING, false, Hex.bytes("aa")),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void controlFrameOver125BytesFailsWith1002() {
        assertConnectionFailed(CLIENT, frame(true, 0, Frame.PING, false, new byte[126]),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void continuationWithoutAStartFailsWith1002() {
        assertConnectionFailed(CLIENT, frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("aa")),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void newDataFrameInsideAFragmentedMessageFailsWith1002() {
        byte[] violation = concat(
                frame(false, 0, Frame.BINARY, false, Hex.bytes("04")),
                frame(true, 0, Frame.BINARY, false, Hex.bytes("05")));
        // The first fragment is good data and arrives; the second start is the violation.
        assertConnectionFailed(CLIENT, violation, List.of("010203", "04"), 1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void closeFrameWithAOneBytePayloadFailsWith1002() {
        assertConnectionFailed(CLIENT, frame(true, 0, Frame.CLOSE, false, Hex.bytes("03")),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999})
    void closeFrameWithACodeThatMayNotBeSentFailsWith1002(int code) {
        assertConnectionFailed(CLIENT, frame(true, 0, Frame.CLOSE, false, RawServer.closePayload(code, "")),
                1002, WebErrorStatus.PROTOCOL_ERROR);
    }

    @Test
    void closeFrameWithAReasonThatIsNotUtf8FailsWith1007() {
        byte[] payload = RawServer.closePayload(1000, Hex.bytes("ce bb ff"));
        assertConnectionFailed(CLIENT, frame(true, 0, Frame.CLOSE, false, payload),
                1007, WebErrorStatus.INVALID_PAYLOAD);
    }

    /** Two binary messages and a reserved opcode, written right after the 101 in the same TCP write. */
    private static byte[][] afterThe101(RawServer server) {
        return new byte[][] {server.response101(), GOOD, frame(true, 0, Frame.BINARY, false, Hex.bytes("04 05")),
            frame(true, 0, 0x3, false, new byte[0])};
    }

    @Test
    void messagesBeforeAViolationAreEchoedBeforeTheCloseThatFailsTheConnection() {
        try (RawServer server = RawServer.start()) {
            // The application echoes, subscribing as soon as it has the connection (as flatMap does).
            CLIENT.connect(server.uri())
                    .flatMap(ws -> ws.send(ws.receive()))
                    .subscribe(null, e -> { });
            server.acceptHandshake();
            server.write(afterThe101(server));

            StringBuilder echoed = new StringBuilder();
            Frame f;
            while ((f = server.readFrame()).opcode() != Frame.CLOSE) {
                Frame data = f;
                assertTrue(data.opcode() == Frame.BINARY || data.opcode() == Frame.CONTINUATION, () -> "a data frame: " + data);
                echoed.append(Hex.of(data.payload()));
            }
            assertEquals("0102030405", echoed.toString(), "both messages echoed before the Close");
            f.assertClose(1002);
        }
    }

    @Test
    void wholeMessagesBeforeAViolationAreEchoedBeforeTheCloseThatFailsTheConnection() {
        try (RawServer server = RawServer.start()) {
            CLIENT.connectMessages(server.uri())
                    .flatMap(ws -> ws.send(ws.receive()))
                    .subscribe(null, e -> { });
            server.acceptHandshake();
            server.write(afterThe101(server));

            List<String> echoed = new ArrayList<>();
            Frame f;
            while ((f = server.readFrame()).opcode() != Frame.CLOSE) {
                Frame data = f;
                assertTrue(data.fin(), () -> "each echo one whole frame: " + data);
                echoed.add(Hex.of(data.payload()));
            }
            assertEquals(List.of("010203", "0405"), echoed);
            f.assertClose(1002);
        }
    }

    @Test
    void withNoDemandAViolationFailsTheConnectionAtOnceAndTheMessagesBeforeItStayReadable() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.write(afterThe101(server));
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();

            server.readFrame().assertClose(1002);
            assertEquals(1002, ws.closeStatus().block(WAIT).code());
            StepVerifier.create(ws.receive().map(Hex::of))
                    .expectNext("010203", "0405")
                    .expectErrorSatisfies(e -> assertEquals(1002, ((WebSocketException) e).closeCode()))
                    .verify(WAIT);
        }
    }

    private static void assertConnectionFailed(WebSocketClient client, byte[] violation, int code,
                                               WebErrorStatus status) {
        assertConnectionFailed(client, violation, List.of("010203"), code, status);
    }

    /**
     * Opens a connection, writes {@link #GOOD} and then {@code violation} in one TCP write, and
     * checks how the client fails the connection.
     */
    private static void assertConnectionFailed(WebSocketClient client, byte[] violation, List<String> delivered,
                                               int code, WebErrorStatus status) {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respond101();
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();

            StepVerifier.create(ws.receive().map(Hex::of))
                    .then(() -> server.write(GOOD, violation))
                    .expectNextSequence(delivered)
                    .expectErrorSatisfies(e -> {
                        WebSocketException w = assertInstanceOf(WebSocketException.class, e);
                        assertEquals(status, w.status(), () -> "receive() failed with " + w);
                        assertEquals(code, w.closeCode(), () -> "receive() failed with " + w);
                    })
                    .verify(WAIT);

            server.readFrame().assertClose(code);
            server.expectEof(CLOSE_TIMEOUT.plusSeconds(1));

            CloseStatus closed = ws.closeStatus().block(WAIT);
            assertEquals(code, closed.code(), () -> "closeStatus " + closed);
            assertFalse(closed.remote(), () -> "closeStatus " + closed);
        }
    }

}
