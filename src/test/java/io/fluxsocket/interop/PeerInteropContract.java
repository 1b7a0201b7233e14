package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

/**
 * What the client must do against an independent server: one subclass per {@link Peer}, each run
 * against one server process shared by the class's tests (the routes are described in the peer
 * programs under {@code src/test/peers/}).
 *
 * <p>The 64 MiB transfers are tagged {@code volume}: the pom runs them in their own Surefire
 * execution at ADVANCED leak detection, since PARANOID makes bulk transfers ~50 times slower.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PeerInteropContract {

    private static final long SIXTY_FOUR_MIB = 64L * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration VOLUME_TIMEOUT = Duration.ofSeconds(120);

    private final WebSocketClient client = WebSocketClient.create();
    /** The server of this class's peer, started by its first test (test thread). */
    private PeerServer server;

    /** The peer this class runs against. */
    abstract Peer peer();

    /**
     * Starts the peer for the first test; each test asks, so that each one is skipped (or, in CI,
     * failed) with the reason when the peer is not installed.
     */
    @BeforeEach
    void startPeer() {
        if (server == null) {
            server = PeerServer.start(peer());
        }
    }

    @AfterAll
    void stopPeer() {
        if (server != null) {
            server.close();
        }
    }

    /** One 64 MiB message out, as 64 KiB frames; the peer echoes it as it sends any message, in one frame. */
    @Test
    @Tag("volume")
    void streamsSixtyFourMebibytesEachWay() {
        StreamWebSocket ws = connect(client, "/echo");
        Sha256 sent = new Sha256();
        Sha256 received = new Sha256();
        Mono<Void> receiving = ws.receive()
                .doOnNext(received::update)
                .takeUntil(b -> received.bytes() >= SIXTY_FOUR_MIB)
                .then();
        Mono<Void> sending = ws.send(Sha256.randomBytes(42, SIXTY_FOUR_MIB, CHUNK, sent));

        Mono.when(receiving, sending).block(VOLUME_TIMEOUT);

        assertEquals(SIXTY_FOUR_MIB, sent.bytes(), "bytes sent");
        assertEquals(SIXTY_FOUR_MIB, received.bytes(), "bytes echoed");
        assertEquals(sent.hex(), received.hex(), "SHA-256 of the echo");
        ws.close(CloseStatus.NORMAL_CLOSURE, "").block(TIMEOUT);
        assertEquals(CloseStatus.NORMAL_CLOSURE, ws.closeStatus().block(TIMEOUT).code());
    }

    @Test
    @Tag("volume")
    void uploadsSixtyFourMebibytesAsOneMessageThatMatchesTheServersHash() {
        StreamWebSocket ws = connect(client, "/upload");
        Sha256 sent = new Sha256();

        ws.send(Sha256.randomBytes(7, SIXTY_FOUR_MIB, CHUNK, sent)).block(VOLUME_TIMEOUT);
        ws.receive().then().block(VOLUME_TIMEOUT);

        assertEquals(SIXTY_FOUR_MIB, sent.bytes(), "bytes sent");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, sent.hex(), true), ws.closeStatus().block(TIMEOUT),
                "the server's Close carries the SHA-256 of the one message it read");
    }

    @Test
    @Tag("volume")
    void downloadsSixtyFourMebibytesAndMatchesTheServersHash() {
        StreamWebSocket ws = connect(client, "/download?bytes=" + SIXTY_FOUR_MIB);
        Sha256 received = new Sha256();

        ws.receive().doOnNext(received::update).then().block(VOLUME_TIMEOUT);

        CloseStatus status = ws.closeStatus().block(TIMEOUT);
        assertEquals(SIXTY_FOUR_MIB, received.bytes(), "bytes downloaded");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, received.hex(), true), status,
                "the server's Close carries the SHA-256 of what it sent");
    }

    /** The same download read in place with {@code receive(reader)}: the views hash to what the peer sent. */
    @Test
    @Tag("volume")
    void downloadsSixtyFourMebibytesReadInPlaceAndMatchesTheServersHash() {
        StreamWebSocket ws = connect(client, "/download?bytes=" + SIXTY_FOUR_MIB);
        Sha256 received = new Sha256();

        Long counted = ws.receive(piece -> {
            int n = piece.remaining();
            received.update(piece);
            return (long) n;
        }).reduce(0L, Long::sum).block(VOLUME_TIMEOUT);

        CloseStatus status = ws.closeStatus().block(TIMEOUT);
        assertEquals(SIXTY_FOUR_MIB, counted, "bytes the reader saw");
        assertEquals(SIXTY_FOUR_MIB, received.bytes(), "bytes hashed");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, received.hex(), true), status,
                "the server's Close carries the SHA-256 of what it sent");
    }

    @ParameterizedTest
    @CsvSource({"4001, bye", "1001, going away"})
    void serversCloseCodeAndReasonReachTheClient(int code, String reason) {
        StreamWebSocket ws = connect(client,
                "/close?code=" + code + "&reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8));

        ws.receive().then().block(TIMEOUT);

        assertEquals(new CloseStatus(code, reason, true), ws.closeStatus().block(TIMEOUT));
    }

    @Test
    void clientsCloseCodeAndReasonReachTheServer() {
        StreamWebSocket ws = connect(client, "/expect-close");

        ws.close(4002, "done").block(TIMEOUT);

        assertEquals("CLOSED 4002 done", server.awaitLine("CLOSED ", TIMEOUT));
        CloseStatus status = ws.closeStatus().block(TIMEOUT);
        assertEquals(4002, status.code(), "the server answers with the code it received: " + status);
        assertTrue(status.remote(), "the code is the server's: " + status);
    }

    @Test
    void negotiatesTheSubprotocolTheServerSelects() {
        WebSocketClient offering = WebSocketClient.builder().subprotocols("superchat", "chat").build();
        StreamWebSocket ws = connect(offering, "/subprotocol");

        String selected = new String(receiveAll(ws), StandardCharsets.UTF_8);

        assertEquals("superchat", selected, "the server selects the first offered that it supports");
        assertEquals(Optional.of(selected), ws.info().subprotocol());
        assertEquals(CloseStatus.NORMAL_CLOSURE, ws.closeStatus().block(TIMEOUT).code());
    }

    @Test
    void connectsWithoutSubprotocolWhenNoneIsOffered() {
        StreamWebSocket ws = connect(client, "/subprotocol");

        String selected = new String(receiveAll(ws), StandardCharsets.UTF_8);

        assertEquals("", selected, "the server selected nothing");
        assertEquals(Optional.empty(), ws.info().subprotocol());
    }

    @Test
    void sendsCustomHeadersInTheOpeningHandshake() {
        WebSocketClient withHeader = WebSocketClient.builder().header("X-Fluxsocket-Test", "hello").build();
        StreamWebSocket ws = connect(withHeader, "/headers");

        Map<String, String> headers = FlatJson.parse(new String(receiveAll(ws), StandardCharsets.UTF_8));

        assertEquals("hello", headers.get("x-fluxsocket-test"), "custom header in " + headers);
        assertEquals("13", headers.get("sec-websocket-version"), "version in " + headers);
        assertEquals(server.uri("/").getAuthority(), headers.get("host"), "host in " + headers);
        assertEquals(CloseStatus.NORMAL_CLOSURE, ws.closeStatus().block(TIMEOUT).code());
    }

    private StreamWebSocket connect(WebSocketClient with, String pathAndQuery) {
        return with.connect(server.uri(pathAndQuery)).block(TIMEOUT);
    }

    /** Every byte the server sends until its Close (small messages only). */
    private static byte[] receiveAll(StreamWebSocket ws) {
        return ws.receive()
                .reduce(new ByteArrayOutputStream(), (out, buffer) -> {
                    byte[] bytes = new byte[buffer.remaining()];
                    buffer.get(bytes);
                    out.write(bytes, 0, bytes.length);
                    return out;
                })
                .map(ByteArrayOutputStream::toByteArray)
                .block(TIMEOUT);
    }
}
