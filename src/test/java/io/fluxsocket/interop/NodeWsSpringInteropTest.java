package io.fluxsocket.interop;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.spring.FluxsocketWebSocketClient;
import io.fluxsocket.spring.FluxsocketWebSocketSession;
import io.fluxsocket.testing.BytePattern;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
 * The Spring WebFlux adapter ({@link FluxsocketWebSocketClient}) against Node.js and the {@code ws}
 * library ({@code src/test/peers/node/server.js}): Spring's scenarios against a server that is not
 * Spring's, the message-size limit seen from the server, and messages far over that limit streamed
 * both ways through {@link FluxsocketWebSocketSession#connection()}.
 */
@Tag("spring")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeWsSpringInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HexFormat HEX = HexFormat.of();

    private final FluxsocketWebSocketClient client = new FluxsocketWebSocketClient();
    /** Started by the first test, so that each one is skipped (or, in CI, failed) without the peer. */
    private PeerServer server;

    @BeforeEach
    void startPeer() {
        if (server == null) {
            server = PeerServer.start(Peer.NODE_WS);
        }
    }

    @AfterAll
    void stopPeer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void echoesTextAndBinaryMessagesWithTheirTypes() {
        List<String> received = new ArrayList<>();
        client.execute(server.uri("/echo"), session -> session.send(Flux.just(
                                session.textMessage("κόσμε"),
                                session.binaryMessage(f -> f.wrap(new byte[] {0, 1, 2, (byte) 0xff}))))
                        .thenMany(session.receive().take(2))
                        .doOnNext(m -> received.add(m.getType() + " " + (m.getType() == WebSocketMessage.Type.TEXT
                                ? m.getPayloadAsText() : HEX.formatHex(bytes(m)))))
                        .then())
                .block(WAIT);
        assertEquals(List.of("TEXT κόσμε", "BINARY 000102ff"), received);
    }

    @Test
    void theServerSelectsOneOfTheHandlersSubprotocols() {
        AtomicReference<HandshakeInfo> info = new AtomicReference<>();
        AtomicReference<String> seen = new AtomicReference<>();
        client.execute(server.uri("/subprotocol"), new WebSocketHandler() {
            @Override
            public List<String> getSubProtocols() {
                return List.of("v9", "superchat", "chat");
            }

            @Override
            public Mono<Void> handle(WebSocketSession session) {
                info.set(session.getHandshakeInfo());
                return session.receive().next().map(WebSocketMessage::getPayloadAsText).doOnNext(seen::set).then();
            }
        }).block(WAIT);
        assertEquals("superchat", info.get().getSubProtocol());
        assertEquals("superchat", seen.get());
    }

    @Test
    void theCallsHeadersReachTheServer() {
        HttpHeaders headers = new HttpHeaders();
        headers.add("my-header", "my-value");
        AtomicReference<String> json = new AtomicReference<>();
        client.execute(server.uri("/headers"), headers, session -> session.receive().next()
                        .map(WebSocketMessage::getPayloadAsText).doOnNext(json::set).then())
                .block(WAIT);
        assertTrue(json.get().contains("\"my-header\":\"my-value\""), json.get());
    }

    @Test
    void theServersCloseStatusReachesTheHandlerExactly() {
        AtomicReference<CloseStatus> status = new AtomicReference<>();
        client.execute(server.uri("/close?code=4000&reason=bye"), session -> session.receive()
                        .then(session.closeStatus()).doOnNext(status::set).then())
                .block(WAIT);
        assertEquals(new CloseStatus(4000, "bye"), status.get());
    }

    @Test
    void theHandlersCloseStatusReachesTheServerExactly() {
        client.execute(server.uri("/expect-close"), session -> session.close(new CloseStatus(4002, "handler done")))
                .block(WAIT);
        assertEquals("CLOSED 4002 handler done", server.awaitLine("CLOSED ", WAIT));
    }

    @Test
    void aMessageOverMaxMessageSizeClosesTheConnectionWith1009() {
        FluxsocketWebSocketClient small = new FluxsocketWebSocketClient(WebSocketClient.builder().maxMessageSize(1024).build());
        Mono<Void> execute = small.execute(server.uri("/message?bytes=1025&close=no"), session -> session.receive().then());
        WebSocketException e = assertThrows(WebSocketException.class, () -> execute.block(WAIT));
        assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, e.status());
        assertEquals("MESSAGE-CLOSED 1009", server.awaitLine("MESSAGE-CLOSED ", WAIT));
    }

    /**
     * Beyond Spring's model: with a client in STREAMED mode whose whole-message limit is 64 KiB, a
     * handler sends and receives 8 MiB messages through the session's connection, each as a stream
     * of buffers driven by demand; the connection holds at most its receive buffer (256 KiB) and one
     * socket read of them at a time, and one 64 KiB buffer of the message it sends.
     */
    @Test
    void aHandlerStreamsMessagesOfAnySizeThroughTheConnection() throws NoSuchAlgorithmException {
        long size = 8L << 20;
        int chunk = 64 * 1024;
        FluxsocketWebSocketClient streaming = new FluxsocketWebSocketClient(WebSocketClient.builder()
                .receiveMode(ReceiveMode.STREAMED).maxMessageSize(64 * 1024).build());

        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        AtomicReference<CloseStatus> uploaded = new AtomicReference<>();
        streaming.execute(server.uri("/upload-message"), session -> {
            Flux<ByteBuffer> content = Flux.range(0, (int) (size / chunk))
                    .map(i -> BytePattern.chunk((long) i * chunk, chunk))
                    .doOnNext(b -> sent.update(b.duplicate()));
            return ((FluxsocketWebSocketSession) session).connection()
                    .send(Mono.just(io.fluxsocket.WebSocketMessage.binary(content)))
                    .then(session.closeStatus()).doOnNext(uploaded::set).then();
        }).block(WAIT);
        assertEquals(new CloseStatus(1000, "binary " + HEX.formatHex(sent.digest())), uploaded.get());

        MessageDigest received = MessageDigest.getInstance("SHA-256");
        AtomicLong bytes = new AtomicLong();
        AtomicReference<CloseStatus> downloaded = new AtomicReference<>();
        streaming.execute(server.uri("/message?bytes=" + size), session -> ((FluxsocketWebSocketSession) session).connection()
                        .receive()
                        .concatMap(message -> message.content())
                        .doOnNext(b -> {
                            bytes.addAndGet(b.remaining());
                            received.update(b);
                        })
                        .then(session.closeStatus()).doOnNext(downloaded::set).then())
                .block(WAIT);
        assertEquals(size, bytes.get());
        assertEquals(new CloseStatus(1000, HEX.formatHex(received.digest())), downloaded.get());
    }

    private static byte[] bytes(WebSocketMessage message) {
        byte[] bytes = new byte[message.getPayload().readableByteCount()];
        message.getPayload().read(bytes);
        return bytes;
    }
}
