package io.fluxsocket.spring;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.netty.buffer.PooledByteBufAllocator;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.springframework.core.io.buffer.DefaultDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adapter against Spring WebFlux's own server on Reactor Netty: the scenarios of Spring's
 * WebSocket integration tests (echo, subprotocol, custom request header, session attributes, close
 * status both ways, handshake headers) and what the adapter adds (the message-size limit, Pings,
 * pooled buffers, the handler's end closing the session, arguments checked before any I/O).
 */
@Tag("spring")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FluxsocketWebSocketClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static SpringWebSocketServer server;
    private final FluxsocketWebSocketClient client = new FluxsocketWebSocketClient();

    @BeforeAll
    static void startServer() {
        server = new SpringWebSocketServer(Map.of(
                "/echo", session -> session.send(session.receive().doOnNext(WebSocketMessage::retain)),
                "/sub-protocol", new WebSocketHandler() {
                    @Override
                    public List<String> getSubProtocols() {
                        return List.of("echo-v1");
                    }

                    @Override
                    public Mono<Void> handle(WebSocketSession session) {
                        return session.send(Mono.just(session.textMessage(session.getHandshakeInfo().getSubProtocol())));
                    }
                },
                "/custom-header", session -> {
                    HttpHeaders headers = session.getHandshakeInfo().getHeaders();
                    return session.send(Mono.just(session.textMessage("my-header:" + values(headers, "my-header")
                            + " cookie:" + values(headers, "Cookie") + " x-client:" + values(headers, "X-Client"))));
                },
                "/close", session -> session.close(new CloseStatus(4000, "server bye")),
                "/expect-close", session -> server.recordingClose("closed").handle(session),
                "/big", session -> session.send(Mono.just(session.binaryMessage(f -> f.wrap(new byte[2048]))))
                        .then(server.recordingClose("big").handle(session)),
                // Cancelling a Reactor Netty session's receive() closes it: this one reads on.
                "/ping-aware/describe", session -> {
                    List<String> seen = new CopyOnWriteArrayList<>();
                    return session.send(session.receive()
                            .map(m -> m.getType() + ":" + m.getPayloadAsText())
                            .filter(seen::add)
                            .filter(m -> seen.size() == 2)
                            .map(m -> session.textMessage(seen.stream().sorted().collect(Collectors.joining(",")))));
                }));
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
    void aReceivedBinaryPayloadIsTheReceivedBufferWrappedWithoutACopy() {
        AtomicReference<WebSocketMessage> received = new AtomicReference<>();
        client.execute(server.uri("/echo"), session -> session.send(Mono.just(session.binaryMessage(f -> f.wrap(new byte[] {1, 2, 3}))))
                        .then(session.receive().next())
                        .doOnNext(received::set)
                        .then())
                .block(WAIT);
        WebSocketMessage message = received.get();
        io.fluxsocket.WebSocketMessage fluxsocket = message.getNativeMessage();
        ByteBuffer wrapped = ((DefaultDataBuffer) message.getPayload()).getNativeBuffer();
        assertSame(fluxsocket.payload().array(), wrapped.array());
        assertSame(org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance, message.getPayload().factory());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), wrapped);
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
    void theHandshakeInfoHasTheResponseHeadersAndTheServersAddress() {
        AtomicReference<WebSocketSession> session = new AtomicReference<>();
        client.execute(server.uri("/echo"), s -> {
            session.set(s);
            return Mono.empty();
        }).block(WAIT);
        HandshakeInfo info = session.get().getHandshakeInfo();
        assertEquals("spring-webflux", info.getHeaders().getFirst("X-Served-By"));
        assertEquals(List.of("session=abc; Path=/"), values(info.getHeaders(), "Set-Cookie"));
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

    /**
     * Every value of a header. {@code HttpHeaders.get} is {@code get(String)} in Spring 7 and
     * {@code Map.get(Object)} in 6.2: code compiled against one fails on the other, so neither is called.
     */
    static List<String> values(HttpHeaders headers, String name) {
        List<String> values = new ArrayList<>();
        headers.forEach((n, v) -> {
            if (n.equalsIgnoreCase(name)) {
                values.addAll(v);
            }
        });
        return values;
    }
}
