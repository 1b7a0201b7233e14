package io.fluxsocket.spring;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.netty.buffer.PooledByteBufAllocator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session ({@link FluxsocketWebSocketSession}) against Spring WebFlux's own server on Reactor
 * Netty: the handshake information, attributes, close status both ways, messages and their buffers
 * (without a copy where the lifetime allows, pooled ones released), the message-size limit, Pings
 * and Pongs, and what the session refuses.
 */
@Tag("spring")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FluxsocketWebSocketSessionTest {

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
    void echoesBinaryMessagesFromHeapAndPooledBuffers() {
        NettyDataBufferFactory pooled = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
        byte[] first = "heap bytes".getBytes(StandardCharsets.UTF_8);
        byte[] second = new byte[60_000]; // under the server's 64 KiB frame limit
        Arrays.fill(second, (byte) 7);
        List<byte[]> output = new ArrayList<>();
        client.execute(server.uri("/echo"), session -> session.send(Flux.just(
                                session.binaryMessage(f -> f.wrap(first)),
                                new WebSocketMessage(WebSocketMessage.Type.BINARY, pooled.allocateBuffer(second.length).write(second))))
                        .thenMany(session.receive().take(2))
                        .doOnNext(m -> {
                            assertEquals(WebSocketMessage.Type.BINARY, m.getType());
                            byte[] bytes = new byte[m.getPayload().readableByteCount()];
                            m.getPayload().read(bytes);
                            m.release();
                            output.add(bytes);
                        })
                        .then())
                .block(WAIT);
        assertEquals(2, output.size());
        assertArrayEquals(first, output.get(0));
        assertArrayEquals(second, output.get(1));
    }

    @Test
    void aReceivedBinaryPayloadIsLentUntilOnNextReturnedAndThenRefusesToBeRead() {
        AtomicReference<WebSocketMessage> kept = new AtomicReference<>();
        AtomicReference<byte[]> read = new AtomicReference<>();
        byte[] sent = new byte[20_000]; // over the 8 KiB under which a message is a heap copy, not lent
        new java.util.Random(9).nextBytes(sent);
        client.execute(server.uri("/echo"), session -> session.send(Mono.just(session.binaryMessage(f -> f.wrap(sent))))
                        .then(session.receive().next())
                        .doOnNext(m -> {
                            // In onNext: the connection's bytes, read in place.
                            assertTrue(m.getNativeMessage() instanceof io.fluxsocket.WebSocketMessage fm && fm.payload().isReadOnly(),
                                    "the fluxsocket message's payload is a read-only view");
                            byte[] bytes = new byte[m.getPayload().readableByteCount()];
                            m.getPayload().read(bytes);
                            read.set(bytes);
                            kept.set(m);
                        })
                        .then())
                .block(WAIT);
        assertArrayEquals(sent, read.get());
        PooledDataBuffer payload = assertInstanceOf(PooledDataBuffer.class, kept.get().getPayload());
        assertFalse(payload.isAllocated(), "released once onNext returned");
        IllegalStateException late = assertThrows(IllegalStateException.class, payload::readableByteCount);
        assertTrue(late.getMessage().contains("retain()"), late::getMessage);
        assertThrows(IllegalStateException.class, payload::release, "released already");
    }

    @Test
    void aRetainedPayloadOutlivesOnNextUntilItIsReleased() {
        List<String> texts = new ArrayList<>();
        List<PooledDataBuffer> payloads = new ArrayList<>();
        client.execute(server.uri("/echo"), session -> session.send(Flux.range(0, 20)
                                .map(i -> session.binaryMessage(f -> f.wrap(("message " + i).getBytes(StandardCharsets.UTF_8)))))
                        .thenMany(session.receive().take(20))
                        // Spring's idiom for pooled payloads: retain in onNext, use later, release.
                        .map(WebSocketMessage::retain)
                        .publishOn(Schedulers.boundedElastic(), 4)
                        .doOnNext(m -> {
                            PooledDataBuffer payload = (PooledDataBuffer) m.getPayload();
                            assertTrue(payload.isAllocated());
                            texts.add(m.getPayloadAsText());
                            m.release();
                            payloads.add(payload);
                        })
                        .then())
                .block(WAIT);
        assertEquals(IntStream.range(0, 20).mapToObj(i -> "message " + i).toList(), texts);
        assertTrue(payloads.stream().noneMatch(PooledDataBuffer::isAllocated), "each released");
    }

    @Test
    void receivedMessagesCanBeSentOnAsTheyAre() {
        // The server echoes; the client echoes back what it receives: a payload sent on is copied in onNext.
        List<String> texts = new ArrayList<>();
        client.execute(server.uri("/echo"), session -> session.send(Flux.concat(
                                Mono.just(session.binaryMessage(f -> f.wrap("ping-pong".getBytes(StandardCharsets.UTF_8)))),
                                session.receive().take(3).doOnNext(m -> texts.add(m.getPayloadAsText())))))
                .block(WAIT);
        assertEquals(List.of("ping-pong", "ping-pong", "ping-pong"), texts);
    }

    @Test
    void withoutASubprotocolTheHandshakeInfoHasNone() {
        AtomicReference<HandshakeInfo> info = new AtomicReference<>();
        client.execute(server.uri("/echo"), session -> {
            info.set(session.getHandshakeInfo());
            return Mono.empty();
        }).block(WAIT);
        assertNull(info.get().getSubProtocol());
        assertNull(info.get().getHeaders().getFirst("Sec-WebSocket-Protocol"));
    }

    @Test
    void theHandshakeInfoHasTheResponseHeadersAndTheServersAddress() {
        AtomicReference<WebSocketSession> session = new AtomicReference<>();
        client.execute(server.uri("/echo"), s -> {
            session.set(s);
            return Mono.empty();
        }).block(WAIT);
        HandshakeInfo info = session.get().getHandshakeInfo();
        assertEquals("spring-webflux", info.getHeaders().getFirst("X-Served-By"));
        assertEquals(List.of("session=abc; Path=/"), SpringWebSocketServer.values(info.getHeaders(), "Set-Cookie"));
        assertTrue("upgrade".equalsIgnoreCase(info.getHeaders().getFirst("Connection")), info.getHeaders().toString());
        assertEquals(server.uri("/").getPort(), info.getRemoteAddress().getPort());
        assertTrue(info.getRemoteAddress().getAddress().isLoopbackAddress());
        assertTrue(info.getCookies().isEmpty());
        assertNull(info.getPrincipal().block(WAIT));
        assertFalse(session.get().isOpen(), "closed once execute completed");
    }

    @Test
    void sessionAttributesAreTheSessionsOwnAndMutable() {
        List<Map<String, Object>> seen = new ArrayList<>();
        WebSocketHandler handler = session -> {
            assertTrue(session.getAttributes().isEmpty());
            session.getAttributes().put("id", session.getId());
            seen.add(session.getAttributes());
            return Mono.empty();
        };
        client.execute(server.uri("/echo"), handler).block(WAIT);
        client.execute(server.uri("/echo"), handler).block(WAIT);
        assertEquals(2, seen.size());
        assertFalse(seen.get(0).get("id").equals(seen.get(1).get("id")), "two sessions, two ids: " + seen);
    }

    @Test
    void aCloseStatusOfTheServerReachesTheHandlerExactly() {
        AtomicReference<CloseStatus> status = new AtomicReference<>();
        AtomicReference<WebSocketSession> session = new AtomicReference<>();
        client.execute(server.uri("/close"), s -> {
            session.set(s);
            return s.receive().then(s.closeStatus()).doOnNext(status::set).then();
        }).block(WAIT);
        assertEquals(new CloseStatus(4000, "server bye"), status.get());
        assertFalse(session.get().isOpen());
    }

    @Test
    void aCloseStatusOfTheClientReachesTheServerExactly() throws InterruptedException {
        AtomicReference<CloseStatus> status = new AtomicReference<>();
        client.execute(server.uri("/expect-close"), session -> session.close(new CloseStatus(4001, "client done"))
                        .then(session.closeStatus()).doOnNext(status::set).then())
                .block(WAIT);
        assertEquals("closed 4001 client done", server.nextEvent());
        // The server answered with the same code, as RFC 6455 §5.5.1 has it.
        assertEquals(4001, status.get().getCode());
    }

    @Test
    void aMessageOverTheClientsMaxMessageSizeFailsTheConnectionWith1009AndIsNeverCutShort() throws InterruptedException {
        FluxsocketWebSocketClient small = new FluxsocketWebSocketClient(WebSocketClient.builder().maxMessageSize(1024).build());
        List<WebSocketMessage> received = new ArrayList<>();
        AtomicReference<WebSocketSession> session = new AtomicReference<>();
        Mono<Void> execute = small.execute(server.uri("/big"), s -> {
            session.set(s);
            return s.receive().doOnNext(received::add).then();
        });
        WebSocketException thrown = assertThrows(WebSocketException.class, () -> execute.block(WAIT));
        assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, thrown.status());
        assertEquals(List.of(), received, "no message, whole or cut short");
        assertTrue(server.nextEvent().startsWith("big 1009 "));
        CloseStatus status = session.get().closeStatus().block(WAIT);
        assertEquals(1009, status.getCode());
    }

    @Test
    void aMessageUpToTheClientsMaxMessageSizeArrivesWhole() throws InterruptedException {
        FluxsocketWebSocketClient exact = new FluxsocketWebSocketClient(WebSocketClient.builder().maxMessageSize(2048).build());
        AtomicReference<Integer> size = new AtomicReference<>();
        exact.execute(server.uri("/big"), s -> s.receive().next()
                        .doOnNext(m -> size.set(m.getPayload().readableByteCount())).then())
                .block(WAIT);
        assertEquals(2048, size.get());
        assertEquals("big 1000 null", server.nextEvent());
    }

    @Test
    void aPingMessageIsSentAsAPing() {
        AtomicReference<String> output = new AtomicReference<>();
        client.execute(server.uri("/ping-aware/describe"), session -> session.send(Flux.just(
                                session.pingMessage(f -> f.wrap("p1".getBytes(StandardCharsets.UTF_8))),
                                session.textMessage("t")))
                        .then(session.receive().next())
                        .map(WebSocketMessage::getPayloadAsText)
                        .doOnNext(output::set)
                        .then())
                .block(WAIT);
        assertEquals("PING:p1,TEXT:t", output.get());
    }

    @Test
    void theConnectionsPingMeasuresTheRoundTrip() {
        AtomicReference<Duration> roundTrip = new AtomicReference<>();
        client.execute(server.uri("/echo"), session -> ((FluxsocketWebSocketSession) session).connection()
                        .ping(ByteBuffer.wrap(new byte[] {42})).doOnNext(roundTrip::set).then())
                .block(WAIT);
        assertFalse(roundTrip.get().isNegative());
    }

    @Test
    void aPongMessageOrALongPingPayloadFailsTheSendWithInvalidArgument() {
        for (int which = 0; which < 2; which++) {
            boolean pong = which == 0;
            AtomicReference<Throwable> error = new AtomicReference<>();
            client.execute(server.uri("/echo"), session -> session.send(Mono.just(pong
                            ? session.pongMessage(f -> f.wrap(new byte[1]))
                            : session.pingMessage(f -> f.wrap(new byte[126]))))
                    .doOnError(error::set)
                    .onErrorResume(e -> Mono.empty())).block(WAIT);
            WebSocketException e = assertInstanceOf(WebSocketException.class, error.get());
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().startsWith("messages: "), e.getMessage());
        }
    }

    @Test
    void aStreamedClientsMessagesAreNotSpringMessages() {
        FluxsocketWebSocketClient streamed = new FluxsocketWebSocketClient(
                WebSocketClient.builder().receiveMode(ReceiveMode.STREAMED).build());
        Mono<Void> execute = streamed.execute(server.uri("/echo"), session -> session.send(Mono.just(session.textMessage("x")))
                .then(session.receive().then()));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> execute.block(WAIT));
        assertTrue(thrown.getMessage().contains("connection().receive()"), thrown.getMessage());
    }

    @Test
    void closeAndSendRejectNullAndCodesThatMayNotBeSent() {
        List<Throwable> errors = new ArrayList<>();
        client.execute(server.uri("/echo"), session -> Flux.concat(
                        session.close(null).onErrorResume(err -> Mono.fromRunnable(() -> errors.add(err))),
                        session.send(null).onErrorResume(err -> Mono.fromRunnable(() -> errors.add(err))),
                        session.close(CloseStatus.NO_STATUS_CODE).onErrorResume(err -> Mono.fromRunnable(() -> errors.add(err))))
                .then())
                .block(WAIT);
        assertEquals(3, errors.size());
        for (Throwable error : errors) {
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, assertInstanceOf(WebSocketException.class, error).status());
        }
    }
}
