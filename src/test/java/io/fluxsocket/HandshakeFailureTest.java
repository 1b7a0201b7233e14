package io.fluxsocket;

import io.fluxsocket.testing.Hex;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.RawServer.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The opening handshake against a server that answers it wrongly: every failure fails
 * {@code connect} with a typed status and leaves no socket open (the server sees the client close
 * TCP).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HandshakeFailureTest {

    /** How long the server waits to see the client close TCP after a failed handshake. */
    private static final Duration SOCKET_RELEASED = Duration.ofSeconds(2);

    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(1))
            .build();

    @Test
    void theUpgradeRequestIsValidAndCarriesCustomHeadersAndSubprotocols() throws Exception {
        WebSocketClient client = WebSocketClient.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .closeTimeout(Duration.ofSeconds(1))
                .header("X-Token", "abc 123")
                .subprotocols("chat", "superchat")
                .build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri("/room/1?user=x")).toFuture();
            Request request = server.acceptHandshake();

            assertEquals("GET", request.method());
            assertEquals("/room/1?user=x", request.target());
            assertEquals("HTTP/1.1", request.version());
            assertEquals("127.0.0.1:" + server.port(), request.header("Host"));
            assertEquals("websocket", request.header("Upgrade").toLowerCase(Locale.ROOT));
            assertTrue(tokens(request.header("Connection").toLowerCase(Locale.ROOT)).contains("upgrade"), request.raw());
            assertEquals("13", request.header("Sec-WebSocket-Version"));
            byte[] nonce = Base64.getDecoder().decode(request.key());
            assertEquals(16, nonce.length, "Sec-WebSocket-Key must be 16 random bytes, base64");
            assertEquals(List.of("chat", "superchat"), tokens(request.header("Sec-WebSocket-Protocol")));
            assertEquals("abc 123", request.header("X-Token"));

            server.respond101("Sec-WebSocket-Protocol: superchat");
            StreamWebSocket ws = connecting.get(5, TimeUnit.SECONDS);
            assertEquals("superchat", ws.info().subprotocol().orElse(null));
        }
    }

    @Test
    void wrongAcceptFailsWithProtocolError() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + RawServer.acceptFor("dGhlIHNhbXBsZSBub25jZQ==") + "\r\n"
                    + "\r\n");

            assertFailure(connecting, WebErrorStatus.PROTOCOL_ERROR);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void missingAcceptFailsWithProtocolErrorAtOnceNotAfterTheConnectTimeout() {
        WebSocketClient patient = WebSocketClient.builder().connectTimeout(Duration.ofSeconds(30)).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = patient.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "\r\n");

            // 5 s, far below the 30 s connect timeout: a stall would fail here.
            assertFailure(connecting, WebErrorStatus.PROTOCOL_ERROR);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void missingUpgradeHeaderFailsWithProtocolError() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            Request request = server.acceptHandshake();
            server.respondRaw("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + RawServer.acceptFor(request.key()) + "\r\n"
                    + "\r\n");

            assertFailure(connecting, WebErrorStatus.PROTOCOL_ERROR);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void missingConnectionUpgradeFailsWithProtocolError() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            Request request = server.acceptHandshake();
            server.respondRaw("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: keep-alive\r\n"
                    + "Sec-WebSocket-Accept: " + RawServer.acceptFor(request.key()) + "\r\n"
                    + "\r\n");

            assertFailure(connecting, WebErrorStatus.PROTOCOL_ERROR);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
            "401, Unauthorized, UNAUTHORIZED",
            "403, Forbidden, FORBIDDEN",
            "404, Not Found, NOT_FOUND",
            "500, Internal Server Error, INTERNAL_SERVER_ERROR",
            "426, Upgrade Required, UPGRADE_REQUIRED",
            "418, I'm a teapot, HTTP_ERROR",
    })
    void statusOtherThan101FailsWithTheMatchingStatus(int code, String reason, WebErrorStatus expected) {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 " + code + " " + reason + "\r\n"
                    + "Content-Type: text/plain\r\n"
                    + "Content-Length: 2\r\n"
                    + "\r\n"
                    + "no");

            WebSocketException e = assertFailure(connecting, expected);
            assertEquals(expected == WebErrorStatus.HTTP_ERROR ? 0 : code, e.status().httpStatus());
            // The numeric status is there for every code, mapped or not.
            assertEquals(code, e.httpStatus());
            assertEquals(code, e.handshakeResponse().orElseThrow().status());
            assertEquals(reason, e.handshakeResponse().orElseThrow().reason());
            assertEquals("no", e.handshakeResponse().orElseThrow().body());
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void subprotocolThatWasNotOfferedFailsWithProtocolError() {
        WebSocketClient client = WebSocketClient.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .subprotocols("chat")
                .build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respond101("Sec-WebSocket-Protocol: superchat");

            assertFailure(connecting, WebErrorStatus.PROTOCOL_ERROR);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void subprotocolSelectedWhenNoneWasOfferedFailsWithProtocolError() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            Request request = server.acceptHandshake();
            assertEquals(List.of(), request.headers("Sec-WebSocket-Protocol"));
            server.respond101("Sec-WebSocket-Protocol: chat");

            assertFailure(connecting, WebErrorStatus.PROTOCOL_ERROR);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void extensionThatWasNotOfferedFailsWithProtocolError() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            Request request = server.acceptHandshake();
            assertEquals(List.of(), request.headers("Sec-WebSocket-Extensions"));
            server.respond101("Sec-WebSocket-Extensions: permessage-deflate");

            assertFailure(connecting, WebErrorStatus.PROTOCOL_ERROR);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void serverThatNeverAnswersFailsWithTimeoutAfterTheConnectTimeout() {
        WebSocketClient client = WebSocketClient.builder().connectTimeout(Duration.ofSeconds(1)).build();
        try (RawServer server = RawServer.start()) {
            long start = System.nanoTime();
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            server.acceptHandshake();

            assertFailure(connecting, WebErrorStatus.TIMEOUT);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(Duration.ofSeconds(1)) >= 0, "failed before the connect timeout: " + took);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void tricklingServerFailsWithTimeoutBecauseTheConnectTimeoutBoundsTheWholeHandshake() {
        WebSocketClient client = WebSocketClient.builder().connectTimeout(Duration.ofSeconds(1)).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            server.acceptHandshake();
            byte[] response = server.response101();
            // One byte every 100 ms: the valid response would take over 10 s, ten times the timeout.
            assertTrue(response.length * 100L > 10_000, "response too short to outlast the timeout");
            server.trickle(response, Duration.ofMillis(100));

            // The connect fails within the 5 s this waits, long before the response is complete.
            assertFailure(connecting, WebErrorStatus.TIMEOUT);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void serverThatClosesTcpBeforeAnsweringFailsWithConnectionAborted() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.closeTcp();

            assertFailure(connecting, WebErrorStatus.CONNECTION_ABORTED);
            server.expectEof(SOCKET_RELEASED);
        }
    }

    @Test
    void serverThatResetsBeforeAnsweringFailsWithConnectionReset() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.reset();

            assertFailure(connecting, WebErrorStatus.CONNECTION_RESET);
        }
    }

    @Test
    void responseArrivingOneByteAtATimeWithinTheConnectTimeoutSucceeds() throws Exception {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            byte[] response = server.response101();
            // About 130 bytes at 2 ms: well within the 2 s connect timeout, in many TCP segments.
            server.trickle(response, Duration.ofMillis(2));

            StreamWebSocket ws = connecting.get(5, TimeUnit.SECONDS);
            StepVerifier.create(ws.receive().map(Hex::of))
                    .then(() -> server.sendBinary(Hex.bytes("01")))
                    .expectNext("01")
                    .then(() -> server.sendClose(1000, ""))
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void framesInTheSameWriteAsThe101AndRightAfterItAreDelivered() throws Exception {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.write(server.response101(), RawServer.frame(true, 0, 2, false, Hex.bytes("01 02 03")));
            StreamWebSocket ws = connecting.get(5, TimeUnit.SECONDS);

            StepVerifier.create(ws.receive().map(Hex::of))
                    .expectNext("010203")
                    .then(() -> server.sendBinary(Hex.bytes("04 05")))
                    .expectNext("0405")
                    .then(() -> server.sendClose(1000, ""))
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
            assertEquals(new CloseStatus(1000, "", true), ws.closeStatus().block(Duration.ofSeconds(5)));
            assertEquals("888203e8", server.readFrame().toHex());
            server.expectEof(SOCKET_RELEASED);
        }
    }

    /** Waits (5 s at most) for the connect to fail and checks its status, also through {@link WebSocketError}. */
    private static WebSocketException assertFailure(CompletableFuture<StreamWebSocket> connecting,
                                                    WebErrorStatus expected) {
        ExecutionException thrown = assertThrows(ExecutionException.class,
                () -> connecting.get(5, TimeUnit.SECONDS), "connect must fail with " + expected);
        WebSocketException e = assertInstanceOf(WebSocketException.class, thrown.getCause());
        assertEquals(expected, e.status(), () -> "connect failed with " + e);
        assertEquals(expected, WebSocketError.status(e));
        assertNotNull(e.getMessage());
        return e;
    }

    /** The comma-separated elements of a header value, trimmed. */
    private static List<String> tokens(String headerValue) {
        assertNotNull(headerValue);
        return List.of(headerValue.trim().split("\\s*,\\s*"));
    }
}
