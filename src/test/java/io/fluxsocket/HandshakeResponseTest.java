package io.fluxsocket;

import io.fluxsocket.testing.RawServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's answer to the opening handshake, as the application sees it: the 101 response's
 * headers in {@code info()}, and a refusal's status, headers and the start of its body in the error.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HandshakeResponseTest {

    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(3))
            .closeTimeout(Duration.ofSeconds(1))
            .build();

    @Test
    void theSwitchingProtocolsResponseIsInInfoWithEveryHeader() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respond101("Set-Cookie: a=1", "set-cookie: b=2", "Server: raw/1.0", "X-RateLimit-Remaining: 41");
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();

            HandshakeResponse response = ws.info().handshakeResponse();
            assertEquals(101, response.status());
            assertEquals("Switching Protocols", response.reason());
            assertEquals(List.of("a=1", "b=2"), response.allValues("Set-Cookie"), "one header, whatever the case");
            assertEquals(Optional.of("raw/1.0"), response.firstValue("server"));
            assertEquals(Optional.of("41"), response.firstValue("X-RATELIMIT-REMAINING"));
            assertEquals(Optional.of("websocket"), response.firstValue("Upgrade"));
            assertEquals(Optional.empty(), response.firstValue("Location"));
            assertEquals(List.of(), response.allValues("Location"));
            assertEquals("", response.body());
            assertThrows(UnsupportedOperationException.class, () -> response.headers().put("x", List.of()));
        }
    }

    @Test
    void aRefusalCarriesItsStatusHeadersAndBody() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            // Head and body in one write: they come in one socket read.
            server.write(RawServer.concat(("HTTP/1.1 429 Too Many Requests\r\n"
                    + "Retry-After: 120\r\n"
                    + "WWW-Authenticate: Basic realm=\"a\"\r\n"
                    + "WWW-Authenticate: Bearer\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Length: 21\r\n"
                    + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
                    "slow down, please é!".getBytes(StandardCharsets.UTF_8)));

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.TOO_MANY_REQUESTS, e.status());
            assertEquals(429, e.httpStatus());
            HandshakeResponse response = e.handshakeResponse().orElseThrow();
            assertEquals("Too Many Requests", response.reason());
            assertEquals(Optional.of("120"), response.firstValue("retry-after"));
            assertEquals(List.of("Basic realm=\"a\"", "Bearer"), response.allValues("WWW-Authenticate"));
            assertTrue(e.getMessage().contains("HTTP 429"), e.getMessage());
            assertEquals("slow down, please é!", response.body());
            server.expectEof(Duration.ofSeconds(2));
        }
    }

    @Test
    void aBodyThatCameWithTheHeadIsKeptUpToOneKibibyte() {
        String big = "x".repeat(3000);
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3000\r\n\r\n" + big);

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.SERVICE_UNAVAILABLE, e.status());
            assertEquals(big.substring(0, HandshakeResponse.MAX_BODY_BYTES), e.handshakeResponse().orElseThrow().body());
            server.expectEof(Duration.ofSeconds(2));
        }
    }

    @Test
    void aChunkedBodyIsReadAsText() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "6\r\nno you\r\n6\r\n can't\r\n0\r\n\r\n");

            WebSocketException e = failure(connecting);
            assertEquals(403, e.httpStatus());
            assertEquals("no you can't", e.handshakeResponse().orElseThrow().body());
        }
    }

    @Test
    void aBodyEndedByTheServerClosingIsRead() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\nupstream down");
            server.closeTcp();

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.BAD_GATEWAY, e.status());
            assertEquals("upstream down", e.handshakeResponse().orElseThrow().body());
        }
    }

    @Test
    void anUnmappedStatusKeepsItsNumber() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 451 Unavailable For Legal Reasons\r\nContent-Length: 0\r\n\r\n");

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.HTTP_ERROR, e.status());
            assertEquals(451, e.httpStatus());
            assertEquals("", e.handshakeResponse().orElseThrow().body());
        }
    }

    @Test
    void anInvalidSwitchingProtocolsResponseIsInTheError() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: wrong\r\nServer: broken\r\n\r\n");

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.PROTOCOL_ERROR, e.status());
            assertEquals(101, e.httpStatus());
            assertEquals(Optional.of("broken"), e.handshakeResponse().orElseThrow().firstValue("Server"));
        }
    }

    @Test
    void failuresWithoutAResponseHaveNone() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.closeTcp();

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.CONNECTION_ABORTED, e.status());
            assertEquals(0, e.httpStatus());
            assertEquals(Optional.empty(), e.handshakeResponse());
        }
    }

    @Test
    void aResponseIsAValueWhoseHeaderNamesIgnoreCase() {
        HandshakeResponse a = new HandshakeResponse(401, "Unauthorized",
                Map.of("WWW-Authenticate", List.of("Basic")), "");
        HandshakeResponse b = new HandshakeResponse(401, "Unauthorized",
                Map.of("www-authenticate", List.of("Basic")), "");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(List.of("www-authenticate"), List.copyOf(a.headers().keySet()));
        assertEquals("HTTP/1.1 401 Unauthorized", a.toString());
        assertThrows(NullPointerException.class, () -> new HandshakeResponse(200, null, Map.of(), ""));
    }

    private static WebSocketException failure(CompletableFuture<StreamWebSocket> connecting) {
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(WebSocketException.class, thrown.getCause());
    }
}
