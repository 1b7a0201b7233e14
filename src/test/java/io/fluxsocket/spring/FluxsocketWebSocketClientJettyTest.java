package io.fluxsocket.spring;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spring's WebSocket integration scenarios for the adapter against Spring WebFlux on Jetty 12 core
 * ({@link SpringWebSocketServer#scenariosOnJetty()}): echo, subprotocol negotiation, custom request
 * headers, handshake headers, close status both ways, the message-size limit. Runs in the
 * {@code jetty-tests} Surefire execution, the one with Jetty on its class path.
 */
@Tag("jetty")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FluxsocketWebSocketClientJettyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static SpringWebSocketServer server;
    private final FluxsocketWebSocketClient client = new FluxsocketWebSocketClient();

    @BeforeAll
    static void startServer() {
        server = SpringWebSocketServer.scenariosOnJetty();
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
    void echoesTextAndBinaryMessages() {
        List<String> output = new ArrayList<>();
        client.execute(server.uri("/echo"), session -> session.send(Flux.just(session.textMessage("msg-1"),
                                session.binaryMessage(f -> f.wrap(new byte[] {1, 2, 3})), session.textMessage("msg-2")))
                        .thenMany(session.receive().take(3))
                        .doOnNext(m -> output.add(m.getType() + " " + m.getPayload().readableByteCount()))
                        .then())
                .block(WAIT);
        assertEquals(List.of("TEXT 5", "BINARY 3", "TEXT 5"), output);
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
        assertEquals("echo-v1", info.get().getSubProtocol());
        assertEquals("echo-v1", output.get());
    }

    @Test
    void sendsTheCallsHeadersAndHasTheResponsesHeaders() {
        HttpHeaders headers = new HttpHeaders();
        headers.add("my-header", "my-value");
        AtomicReference<String> output = new AtomicReference<>();
        AtomicReference<HandshakeInfo> info = new AtomicReference<>();
        client.execute(server.uri("/custom-header"), headers, session -> {
            info.set(session.getHandshakeInfo());
            return session.receive().next().map(WebSocketMessage::getPayloadAsText).doOnNext(output::set).then();
        }).block(WAIT);
        assertTrue(output.get().startsWith("my-header:[my-value] "), output.get());
        assertEquals(List.of("spring-webflux"), SpringWebSocketServer.values(info.get().getHeaders(), "X-Served-By"));
    }

    @Test
    void closeStatusesCrossExactlyBothWays() throws InterruptedException {
        AtomicReference<CloseStatus> status = new AtomicReference<>();
        client.execute(server.uri("/close"), session -> session.receive().then(session.closeStatus())
                        .doOnNext(status::set).then())
                .block(WAIT);
        assertEquals(new CloseStatus(4000, "server bye"), status.get());
        client.execute(server.uri("/expect-close"), session -> session.close(new CloseStatus(4001, "client done")))
                .block(WAIT);
        assertEquals("closed 4001 client done", server.nextEvent());
    }

    @Test
    void aMessageOverTheClientsMaxMessageSizeFailsTheConnectionWith1009() throws InterruptedException {
        FluxsocketWebSocketClient small = new FluxsocketWebSocketClient(WebSocketClient.builder().maxMessageSize(1024).build());
        Mono<Void> execute = small.execute(server.uri("/big"), session -> session.receive().then());
        WebSocketException e = assertThrows(WebSocketException.class, () -> execute.block(WAIT));
        assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, e.status());
        assertTrue(server.nextEvent().startsWith("big 1009"));
    }
}
