package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketInfo;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Liveness against an independent server: the peer's Pings answered while the application asks
 * for nothing, the client's {@code ping()} and keep-alive answered by the peer, and a peer that
 * stops reading detected by the keep-alive. One subclass per {@link Peer}; the routes
 * ({@code /keepalive}, {@code /pings}, {@code /silent}) are described in the peer programs under
 * {@code src/test/peers/}.
 *
 * <p>Two server processes per class: one as the other contracts start it, and one started with a
 * fast keepalive ({@code PING_INTERVAL}, {@code PING_TIMEOUT}) by the first test that needs it —
 * Python websockets' keepalive is a setting of the whole server, and its Pings would reach the
 * clients of the other routes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
abstract class LivenessInteropContract {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The fast keepalive's server: a Ping 200 ms after the last Pong, each answered within 2 s or 1011. */
    private static final Map<String, String> FAST_KEEPALIVE = Map.of("PING_INTERVAL", "0.2", "PING_TIMEOUT", "2");
    /** How many of the peer's keepalive Pings must be answered: four intervals. */
    private static final int PONGS = 4;
    /** The stated slack on top of {@code interval + timeout} for detecting a silent peer: a loaded machine's scheduling. */
    private static final Duration DETECTION_SLACK = Duration.ofSeconds(2);

    private final WebSocketClient client = WebSocketClient.create();
    /** The server of this class's peer, started by its first test (test thread). */
    private PeerServer server;
    /** The same peer with a fast keepalive, started by the first test that needs it (test thread). */
    private PeerServer keepAliveServer;

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
    void stopPeers() {
        if (server != null) {
            server.close();
        }
        if (keepAliveServer != null) {
            keepAliveServer.close();
        }
    }

    /** How the application receives, in the tests where it asks for nothing. */
    enum Receiving {
        STREAM_NOT_SUBSCRIBED(null, false),
        STREAM_SUBSCRIBED_WITHOUT_DEMAND(null, true),
        WHOLE_MESSAGES_NOT_SUBSCRIBED(ReceiveMode.WHOLE, false),
        WHOLE_MESSAGES_SUBSCRIBED_WITHOUT_DEMAND(ReceiveMode.WHOLE, true),
        STREAMED_MESSAGES_NOT_SUBSCRIBED(ReceiveMode.STREAMED, false),
        STREAMED_MESSAGES_SUBSCRIBED_WITHOUT_DEMAND(ReceiveMode.STREAMED, true);

        /** Message mode's receive mode; null for stream mode. */
        final ReceiveMode messages;
        /** {@code receive()} is subscribed, with no request; else it is never subscribed. */
        final boolean subscribed;

        Receiving(ReceiveMode messages, boolean subscribed) {
            this.messages = messages;
            this.subscribed = subscribed;
        }
    }

    /**
     * The peer's keepalive pings the client every 200 ms and fails the connection with 1011 when a
     * Pong is 2 s late; the application neither sends nor requests anything. The client answers
     * {@value #PONGS} Pings in a row, so the peer ends the connection itself with 1000 — not 1011 —
     * and {@code receive()} (when subscribed, without a request) completes with no element.
     */
    @ParameterizedTest
    @EnumSource(Receiving.class)
    void answersThePeersKeepAlivePingsWhileTheApplicationAsksForNothing(Receiving receiving) {
        PeerServer fast = keepAliveServer();
        WebSocketClient with = receiving.messages == null ? client
                : WebSocketClient.builder().receiveMode(receiving.messages).build();
        Opened ws = open(with, fast, "/keepalive?pongs=" + PONGS, receiving.messages != null);

        if (receiving.subscribed) {
            StepVerifier.create(ws.receive(), 0)
                    .expectSubscription()
                    .expectComplete()
                    .verify(TIMEOUT);
        }
        CloseStatus status = ws.closeStatus().block(TIMEOUT);

        System.out.printf("%s, %s: %s%n", peer(), receiving, status);
        assertEquals(CloseStatus.NORMAL_CLOSURE, status.code(), "the peer's keepalive did not fail: " + status);
        assertTrue(status.remote(), "the peer closed: " + status);
        assertTrue(status.reason().startsWith("keepalive pongs=" + PONGS + " "), "the peer had its Pongs: " + status);
        assertEquals(0, ws.info().bytesSent(), "the application sent nothing");
        assertEquals(0, ws.info().bytesReceived(), "the peer sent no data");
    }

    /** {@code ping()} against the peer, which answers Pings by itself: each round trip is measured. */
    @Test
    void pingMeasuresTheRoundTripToThePeer() {
        StreamWebSocket ws = client.connect(server.uri("/expect-close")).block(TIMEOUT);

        List<Duration> roundTrips = Flux.range(0, 3)
                .concatMap(i -> ws.ping(ByteBuffer.wrap(("round trip " + i).getBytes(StandardCharsets.US_ASCII))))
                .collectList()
                .block(TIMEOUT);

        System.out.printf("%s: ping round trips %s%n", peer(), roundTrips);
        assertEquals(3, roundTrips.size(), "each ping had its Pong");
        for (Duration rtt : roundTrips) {
            assertTrue(!rtt.isNegative() && !rtt.isZero() && rtt.compareTo(TIMEOUT) < 0, "round trip " + rtt);
        }
        ws.close(CloseStatus.NORMAL_CLOSURE, "done").block(TIMEOUT);
        assertEquals("CLOSED 1000 done", server.awaitLine("CLOSED ", TIMEOUT));
    }

    /**
     * The keep-alive's Pings (every 100 ms of silence) answered by the peer, which sends nothing
     * else: a Ping waiting for its Pong holds back the next one, and a missing Pong fails the
     * connection after 2 s, so five Pings counted by the peer mean at least four Pongs read in
     * time. The application never subscribes to {@code receive()}.
     */
    @Test
    void keepAliveStaysOpenWhileThePeerAnswersItsPings() {
        WebSocketClient keepingAlive = WebSocketClient.builder()
                .keepAlive(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
        StreamWebSocket ws = keepingAlive.connect(server.uri("/pings?n=5")).block(TIMEOUT);

        CloseStatus status = ws.closeStatus().block(TIMEOUT);

        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, "pings 5", true), status,
                "the peer answered five keep-alive Pings and closed; the keep-alive did not time out");
        assertEquals(0, ws.info().bytesSent(), "only control frames went out");
    }

    /**
     * The peer stops reading right after the handshake: the keep-alive's Ping goes unanswered, and
     * the connection fails with {@code TIMEOUT} and Close 1011 within {@code interval + timeout}
     * plus {@link #DETECTION_SLACK}, counted from before the connect.
     */
    @Test
    void keepAliveDetectsAPeerThatStoppedReadingWithinIntervalPlusTimeout() {
        Duration interval = Duration.ofMillis(300);
        Duration timeout = Duration.ofMillis(500);
        WebSocketClient keepingAlive = WebSocketClient.builder().keepAlive(interval, timeout).build();
        long start = System.nanoTime();
        StreamWebSocket ws = keepingAlive.connect(server.uri("/silent")).block(TIMEOUT);

        StepVerifier.create(ws.receive(), 0)
                .expectSubscription()
                .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.TIMEOUT, WebSocketError.status(e), e.toString()))
                .verify(TIMEOUT);
        Duration detected = Duration.ofNanos(System.nanoTime() - start);

        System.out.printf("%s: keepAlive(%d ms, %d ms) detected the silent peer after %d ms%n", peer(),
                interval.toMillis(), timeout.toMillis(), detected.toMillis());
        Duration least = interval.plus(timeout);
        assertTrue(detected.compareTo(least) >= 0, "not before interval + timeout: " + detected.toMillis() + " ms");
        assertTrue(detected.compareTo(least.plus(DETECTION_SLACK)) < 0,
                "within interval + timeout + " + DETECTION_SLACK.toMillis() + " ms: " + detected.toMillis() + " ms");
        CloseStatus status = ws.closeStatus().block(TIMEOUT);
        assertEquals(CloseStatus.INTERNAL_ERROR, status.code(), status.toString());
        assertFalse(status.remote(), "the client's own Close: " + status);
    }

    private PeerServer keepAliveServer() {
        if (keepAliveServer == null) {
            keepAliveServer = PeerServer.start(peer(), FAST_KEEPALIVE);
        }
        return keepAliveServer;
    }

    /** What these tests use of a connection of either mode. */
    private record Opened(Flux<?> receive, Mono<CloseStatus> closeStatus, WebSocketInfo info) {
    }

    private static Opened open(WebSocketClient with, PeerServer on, String pathAndQuery, boolean messages) {
        if (messages) {
            MessageWebSocket ws = with.connectMessages(on.uri(pathAndQuery)).block(TIMEOUT);
            return new Opened(ws.receive(), ws.closeStatus(), ws.info());
        }
        StreamWebSocket ws = with.connect(on.uri(pathAndQuery)).block(TIMEOUT);
        return new Opened(ws.receive(), ws.closeStatus(), ws.info());
    }
}
