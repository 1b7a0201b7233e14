package io.fluxsocket.spring;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.core.SpringVersion;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client ({@link FluxsocketWebSocketClient}) against Spring WebFlux's own server on Reactor Netty
 * ({@link SpringWebSocketServer#scenarios()}): Spring's integration scenarios of {@code execute}
 * (echo, subprotocol negotiation, custom request headers), the session closed as the handler ends,
 * and arguments refused before any I/O. The session's own scenarios (handshake headers, attributes,
 * close status both ways, buffers, Pings) are {@link FluxsocketWebSocketSessionTest}'s.
 */
@Tag("spring")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FluxsocketWebSocketClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static SpringWebSocketServer server;
    private final FluxsocketWebSocketClient client = new FluxsocketWebSocketClient();

    @BeforeAll
    static void startServer() {
        server = SpringWebSocketServer.scenarios();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void noEventLeft() {
        assertTrue(server.events().isEmpty(), () -> "unexpected server events: " + server.events());
    }

    @Test
    void theSpringOnTheClassPathIsTheVersionThisRunIsFor() {
        // The pom runs these tests with Spring 7.0 and again with 6.2 (execution spring-6.2-tests).
        String expected = System.getProperty("fluxsocket.test.spring.version");
        Assumptions.assumeTrue(expected != null, "run outside Maven: no expected Spring version");
        assertEquals(expected, SpringVersion.getVersion());
    }

    @Test
    void echoesAHundredTextMessages() {
        List<String> input = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            input.add("msg-" + i);
        }
        List<String> output = new ArrayList<>();
        client.execute(server.uri("/echo"), session -> session.send(Flux.fromIterable(input).map(session::textMessage))
                        .thenMany(session.receive().take(input.size()).map(WebSocketMessage::getPayloadAsText))
                        .doOnNext(output::add)
                        .then())
                .block(WAIT);
        assertEquals(input, output);
    }

    @Test
    void offersTheHandlersSubprotocolAndReportsTheOneTheServerSelected() {
        AtomicReference<HandshakeInfo> info = new AtomicReference<>();
        AtomicReference<String> output = new AtomicReference<>();
        client.execute(server.uri("/sub-protocol"), new WebSocketHandler() {
            @Override
            public List<String> getSubProtocols() {
                return List.of("echo-v1");
            }

            @Override
            public Mono<Void> handle(WebSocketSession session) {
                info.set(session.getHandshakeInfo());
                return session.receive().next().map(WebSocketMessage::getPayloadAsText).doOnNext(output::set).then();
            }
        }).block(WAIT);
        assertEquals(server.uri("/sub-protocol"), info.get().getUri());
        assertTrue("websocket".equalsIgnoreCase(info.get().getHeaders().getFirst("Upgrade")), info.get().getHeaders().toString());
        assertEquals("echo-v1", info.get().getHeaders().getFirst("Sec-WebSocket-Protocol"));
        assertEquals("echo-v1", info.get().getSubProtocol());
        assertEquals("echo-v1", output.get(), "the protocol the server saw");
    }

    @Test
    void sendsTheCallsHeadersOnTopOfTheClients() {
        FluxsocketWebSocketClient withHeader = new FluxsocketWebSocketClient(
                WebSocketClient.builder().header("X-Client", "from the client").header("my-header", "replaced").build());
        HttpHeaders headers = new HttpHeaders();
        headers.add("my-header", "my-value");
        headers.add("Cookie", "a=1");
        headers.add("Cookie", "b=2");
        AtomicReference<String> output = new AtomicReference<>();
        withHeader.execute(server.uri("/custom-header"), headers, session -> session.receive().next()
                        .map(WebSocketMessage::getPayloadAsText).doOnNext(output::set).then())
                .block(WAIT);
        assertEquals("my-header:[my-value] cookie:[a=1; b=2] x-client:[from the client]", output.get());
    }

    @Test
    void aHandlerThatCompletesClosesTheSessionWith1000() throws InterruptedException {
        client.execute(server.uri("/expect-close"), session -> Mono.empty()).block(WAIT);
        assertEquals("closed 1000 null", server.nextEvent());
    }

    @Test
    void aHandlerThatFailsClosesTheSessionWith1011AndExecuteErrorsWithItsError() throws InterruptedException {
        IllegalStateException failure = new IllegalStateException("the handler failed");
        Mono<Void> execute = client.execute(server.uri("/expect-close"), session -> Mono.error(failure));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> execute.block(WAIT));
        assertSame(failure, thrown);
        assertEquals("closed 1011 null", server.nextEvent());
    }

    @Test
    void cancellingExecuteClosesTheSessionWith1001() throws InterruptedException {
        AtomicReference<WebSocketSession> session = new AtomicReference<>();
        Disposable execution = client.execute(server.uri("/expect-close"), s -> {
            session.set(s);
            return Mono.never();
        }).subscribe();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (session.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        execution.dispose();
        assertEquals("closed 1001 null", server.nextEvent());
        assertEquals(1001, session.get().closeStatus().block(WAIT).getCode());
    }

    @Test
    void invalidArgumentsFailBeforeAnyIo() {
        // Nothing listens on port 1: any I/O would fail with CANNOT_CONNECT instead.
        URI nowhere = URI.create("ws://127.0.0.1:1/");
        WebSocketHandler handler = session -> Mono.empty();
        HttpHeaders reserved = new HttpHeaders();
        reserved.add("Sec-WebSocket-Key", "x");
        HttpHeaders crlf = new HttpHeaders();
        crlf.add("X-Bad", "a\r\nb");
        WebSocketHandler badProtocol = new WebSocketHandler() {
            @Override
            public List<String> getSubProtocols() {
                return List.of("not a token");
            }

            @Override
            public Mono<Void> handle(WebSocketSession session) {
                return Mono.empty();
            }
        };
        Map<String, Mono<Void>> cases = Map.of(
                "url", client.execute(null, handler),
                "headers", client.execute(nowhere, null, handler),
                "handler", client.execute(nowhere, new HttpHeaders(), null),
                "header name", client.execute(nowhere, reserved, handler),
                "header value", client.execute(nowhere, crlf, handler),
                "subprotocols", client.execute(nowhere, badProtocol),
                "uri", client.execute(URI.create("http://127.0.0.1:1/"), handler));
        cases.forEach((argument, execute) -> {
            WebSocketException e = assertThrows(WebSocketException.class, () -> execute.block(WAIT), argument);
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status(), argument + ": " + e);
            assertTrue(e.getMessage().startsWith(argument), argument + ": " + e.getMessage());
        });
        WebSocketException e = assertThrows(WebSocketException.class, () -> new FluxsocketWebSocketClient(null));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
    }
}
