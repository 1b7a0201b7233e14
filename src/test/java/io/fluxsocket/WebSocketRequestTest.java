package io.fluxsocket;

import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.RawServer.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-connection requests: headers and subprotocols for one connection on top of the client's, and
 * header values computed at each connect, as the server reads them in the upgrade request.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebSocketRequestTest {

    private static WebSocketClient.Builder client() {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(3)).closeTimeout(Duration.ofSeconds(1));
    }

    @Test
    void aRequestAddsHeadersAndReplacesTheClientsOfTheSameNameWhateverTheCase() {
        WebSocketClient client = client().header("X-Client", "c").header("X-Tenant", "client's").build();
        try (RawServer server = RawServer.start()) {
            WebSocketRequest request = WebSocketRequest.builder(server.uri("/feed"))
                    .header("x-tenant", "request's")
                    .header("X-Request", "r")
                    .build();
            Request seen = handshake(server, client.connect(request));

            assertEquals("/feed", seen.target());
            assertEquals("c", seen.header("X-Client"));
            assertEquals(List.of("request's"), seen.headers("X-Tenant"));
            assertEquals("r", seen.header("X-Request"));
        }
    }

    @Test
    void theSameClientConnectsWithDifferentHeadersPerConnection() {
        WebSocketClient client = client().build();
        for (String tenant : List.of("a", "b")) {
            try (RawServer server = RawServer.start()) {
                Request seen = handshake(server, client.connectMessages(
                        WebSocketRequest.builder(server.uri()).header("X-Tenant", tenant).build()));
                assertEquals(tenant, seen.header("X-Tenant"));
            }
        }
    }

    @Test
    void aComputedHeaderIsComputedAgainAtEachConnect() {
        AtomicInteger token = new AtomicInteger();
        WebSocketClient client = client()
                .header("Authorization", Mono.fromCallable(() -> "Bearer t" + token.incrementAndGet()))
                .build();
        try (RawServer first = RawServer.start(); RawServer second = RawServer.start()) {
            WebSocketRequest request = WebSocketRequest.builder(first.uri())
                    .header("X-Nonce", Mono.fromCallable(() -> "n" + token.get()))
                    .build();
            Request one = handshake(first, client.connect(request));
            Request two = handshake(second, client.connect(second.uri()));

            assertEquals("Bearer t1", one.header("Authorization"));
            assertEquals("n1", one.header("X-Nonce"), "computed in order: the client's first");
            assertEquals("Bearer t2", two.header("Authorization"));
            assertNull(two.header("X-Nonce"));
        }
    }

    @Test
    void anEmptyComputedHeaderIsLeftOut() {
        WebSocketClient client = client().header("X-Maybe", Mono.empty()).header("X-Always", "1").build();
        try (RawServer server = RawServer.start()) {
            Request seen = handshake(server, client.connect(server.uri()));
            assertNull(seen.header("X-Maybe"));
            assertEquals("1", seen.header("X-Always"));
        }
    }

    @Test
    void aComputedHeaderThatFailsFailsTheConnectBeforeAnyConnection() throws Exception {
        WebSocketClient client = client().build();
        try (RawServer server = RawServer.start()) {
            WebSocketRequest request = WebSocketRequest.builder(server.uri())
                    .header("Authorization", Mono.error(new IllegalStateException("token store offline")))
                    .build();
            WebSocketException e = failure(client.connect(request).toFuture());
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().contains("'Authorization'") && e.getMessage().contains("token store offline"),
                    e.getMessage());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertNoConnection(server);
        }
    }

    @Test
    void aComputedHeaderWithAWebSocketExceptionFailsTheConnectWithIt() throws Exception {
        WebSocketException own = new WebSocketException(WebErrorStatus.UNAUTHORIZED, "no token");
        WebSocketClient client = client().header("Authorization", Mono.error(own)).build();
        try (RawServer server = RawServer.start()) {
            assertEquals(own, failure(client.connect(server.uri()).toFuture()));
            assertNoConnection(server);
        }
    }

    @Test
    void aComputedValueWithALineBreakIsRefusedBeforeAnyConnection() throws Exception {
        WebSocketClient client = client().header("X-Injected", Mono.just("a\r\nHost: evil")).build();
        try (RawServer server = RawServer.start()) {
            WebSocketException e = failure(client.connect(server.uri()).toFuture());
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().startsWith("header value"), e.getMessage());
            assertNoConnection(server);
        }
    }

    @Test
    void aRequestsSubprotocolsAreOfferedInsteadOfTheClients() {
        WebSocketClient client = client().subprotocols("v1").build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(
                    WebSocketRequest.builder(server.uri()).subprotocols("v3", "v2").build()).toFuture();
            Request seen = server.acceptHandshake();
            assertEquals("v3, v2", seen.header("Sec-WebSocket-Protocol"));
            server.respond101("Sec-WebSocket-Protocol: v2");
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();
            assertEquals("v2", ws.info().subprotocol().orElseThrow());
        }
    }

    @Test
    void aRequestWithNoSubprotocolsOffersNoneAndRefusesOneTheServerPicks() throws Exception {
        WebSocketClient client = client().subprotocols("v1").build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(
                    WebSocketRequest.builder(server.uri()).subprotocols().build()).toFuture();
            Request seen = server.acceptHandshake();
            assertNull(seen.header("Sec-WebSocket-Protocol"));
            server.respond101("Sec-WebSocket-Protocol: v1");
            assertEquals(WebErrorStatus.PROTOCOL_ERROR, failure(connecting).status());
        }
    }

    @Test
    void aRequestWithoutSubprotocolsOffersTheClients() {
        WebSocketClient client = client().subprotocols("v1", "v0").build();
        try (RawServer server = RawServer.start()) {
            Request seen = handshake(server, client.connect(WebSocketRequest.of(server.uri())));
            assertEquals("v1, v0", seen.header("Sec-WebSocket-Protocol"));
        }
    }

    @Test
    void badArgumentsAreRefusedNamingTheArgument() {
        URI uri = URI.create("ws://127.0.0.1:1/");
        WebSocketRequest.Builder builder = WebSocketRequest.builder(uri);
        assertInvalid("header name", () -> builder.header("Sec-WebSocket-Key", "x"));
        assertInvalid("header name", () -> builder.header("Host", Mono.just("x")));
        assertInvalid("header name", () -> builder.header("bad name", "x"));
        assertInvalid("header value", () -> builder.header("X-A", "a\nb"));
        assertInvalid("header value", () -> builder.header("X-A", (String) null));
        assertInvalid("header value", () -> builder.header("X-A", (Mono<String>) null));
        assertInvalid("subprotocols", () -> builder.subprotocols("a", "A"));
        assertInvalid("subprotocols", () -> builder.subprotocols("a b"));
        assertInvalid("subprotocols", () -> builder.subprotocols((List<String>) null));
        assertInvalid("uri", () -> WebSocketRequest.of(null));
        assertInvalid("header value", () -> WebSocketClient.builder().header("X-A", (Mono<String>) null));
    }

    @Test
    void aRequestIsImmutableAndSaysWhatItHolds() {
        WebSocketRequest.Builder builder = WebSocketRequest.builder(URI.create("ws://h/")).header("X-A", "1");
        WebSocketRequest request = builder.build();
        builder.header("X-B", "2").subprotocols("p");
        assertEquals(List.of("X-A"), List.copyOf(request.headers().keySet()));
        assertEquals("1", request.headers().get("X-A").block());
        assertTrue(request.subprotocols().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> request.headers().put("X-C", Mono.just("3")));
        assertEquals("WebSocketRequest[ws://h/, headers [X-A]]", request.toString());
    }

    @Test
    void theClientsHeadersAreReplacedWhateverTheCase() {
        WebSocketClient client = client().header("X-Token", "old").header("x-token", "new").build();
        try (RawServer server = RawServer.start()) {
            Request seen = handshake(server, client.connect(server.uri()));
            assertEquals(List.of("new"), seen.headers("X-Token"));
        }
    }

    /** Accepts the handshake and answers 101 (closing the server ends the connection); the request read. */
    private static Request handshake(RawServer server, Mono<?> connecting) {
        CompletableFuture<?> connected = connecting.toFuture();
        Request seen = server.acceptHandshake();
        server.respond101();
        connected.orTimeout(5, TimeUnit.SECONDS).join();
        return seen;
    }

    private static WebSocketException failure(CompletableFuture<?> connecting) {
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(WebSocketException.class, thrown.getCause());
    }

    private static void assertNoConnection(RawServer server) {
        AssertionError none = assertThrows(AssertionError.class, server::accept, "no connection was attempted");
        assertInstanceOf(SocketTimeoutException.class, none.getCause());
    }

    private static void assertInvalid(String argument, Runnable call) {
        WebSocketException e = assertThrows(WebSocketException.class, call::run);
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith(argument + ":"), e.getMessage());
    }
}
