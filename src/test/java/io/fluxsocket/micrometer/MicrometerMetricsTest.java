package io.fluxsocket.micrometer;

import io.fluxsocket.BandwidthStatistics;
import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MicrometerMetrics} over real sockets, read from a {@link SimpleMeterRegistry}: each meter's
 * value after a known exchange, connects by outcome, handshake failures by status, closes by code and
 * by who closed, ping round trips, the paused time, and the {@code uri} tag.
 */
@Timeout(60)
class MicrometerMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private WebSocketClient client(MicrometerMetrics metrics) {
        return WebSocketClient.builder().metrics(metrics).connectTimeout(Duration.ofSeconds(5))
                .closeTimeout(Duration.ofSeconds(2)).build();
    }

    private static String tagOf(URI uri) {
        return "ws://127.0.0.1:" + uri.getPort();
    }

    private RequiredSearch meter(String name, String uri) {
        return registry.get(name).tag("uri", uri);
    }

    private double count(String name, String uri) {
        return meter(name, uri).functionCounter().count();
    }

    private long connects(String uri, String outcome) {
        return meter("fluxsocket.connect", uri).tag("outcome", outcome).timer().count();
    }

    private double active(String uri) {
        return meter("fluxsocket.connections.active", uri).gauge().value();
    }

    private double closes(String uri, int code, String closedBy) {
        return meter("fluxsocket.connections.closed", uri).tag("code", Integer.toString(code))
                .tag("closed.by", closedBy).counter().count();
    }

    /** Every function counter of {@code uri} equals the statistics' count it reports. */
    private void assertCountsAre(BandwidthStatistics s, String uri) {
        assertEquals(s.wireBytesSent(), count("fluxsocket.data.sent", uri));
        assertEquals(s.wireBytesReceived(), count("fluxsocket.data.received", uri));
        assertEquals(s.bytesSent(), count("fluxsocket.payload.sent", uri));
        assertEquals(s.bytesReceived(), count("fluxsocket.payload.received", uri));
        assertEquals(s.messagesSent(), count("fluxsocket.messages.sent", uri));
        assertEquals(s.messagesReceived(), count("fluxsocket.messages.received", uri));
    }

    @Test
    void theMetersOfAnExchangeAreTheConnectionsStatisticsWhileItIsOpenAndAfterItClosed() {
        int n = 50;
        int size = 100;
        try (TestServer server = TestServer.echoing()) {
            String uri = tagOf(server.uri());
            MessageWebSocket ws = client(MicrometerMetrics.of(registry)).connectMessages(server.uri()).block(WAIT);
            assertEquals(1, connects(uri, "SUCCESS"));
            assertEquals(1, active(uri));
            assertCountsAre(new BandwidthStatistics(0, 0, 0, 0, 0, 0, 0, 0, false, false, Duration.ZERO), uri);

            ws.send(Flux.range(0, n).map(i -> WebSocketMessage.binary(BytePattern.chunk((long) i * size, size))))
                    .block(WAIT);
            assertEquals(n, ws.receive().take(n).count().block(WAIT));
            BandwidthStatistics open = ws.info().bandwidthStatistics();
            // Client frames: 2 header bytes and a 4-byte masking key; the server's: 2 header bytes.
            assertEquals(new BandwidthStatistics((long) n * size, (long) n * size, (long) n * (size + 6),
                    (long) n * (size + 2), n, n, open.outboundBitsPerSecond(), open.inboundBitsPerSecond(),
                    open.outboundBandwidthPeaked(), open.inboundBandwidthPeaked(), Duration.ZERO), open);
            assertCountsAre(open, uri);

            ws.close(CloseStatus.NORMAL_CLOSURE, "done").block(WAIT);
            Await.until(() -> active(uri) == 0, WAIT, "the connection no longer counted as open");
            BandwidthStatistics closed = ws.info().bandwidthStatistics();
            // Our Close (6 header bytes, the code, "done") and the server's answer, which repeats them.
            assertEquals(open.wireBytesSent() + 6 + 2 + 4, closed.wireBytesSent());
            assertEquals(open.wireBytesReceived() + 2 + 2 + 4, closed.wireBytesReceived());
            assertCountsAre(closed, uri);
            assertEquals(1, closes(uri, CloseStatus.NORMAL_CLOSURE, "LOCAL"));
            assertEquals(0, count("fluxsocket.receive.paused", uri));
            assertTrue(meter("fluxsocket.connect", uri).tag("outcome", "SUCCESS").timer()
                    .totalTime(TimeUnit.NANOSECONDS) > 0);
        }
    }

    @Test
    void totalsAddUpOverConnectionsAndClientsOfOneRegistry() {
        try (TestServer server = TestServer.echoing()) {
            String uri = tagOf(server.uri());
            WebSocketClient one = client(MicrometerMetrics.of(registry));
            WebSocketClient two = client(MicrometerMetrics.of(registry));
            StreamWebSocket a = one.connect(server.uri()).block(WAIT);
            StreamWebSocket b = two.connect(server.uri()).block(WAIT);
            StreamWebSocket c = one.connect(server.uri()).block(WAIT);
            assertEquals(3, active(uri));
            assertEquals(3, connects(uri, "SUCCESS"));
            long sent = 0;
            for (StreamWebSocket ws : List.of(a, b, c)) {
                ws.send(Mono.just(ByteBuffer.wrap(new byte[1000]))).block(WAIT);
                assertEquals(1000, ws.receive().take(1).map(ByteBuffer::remaining).blockFirst(WAIT));
                sent += ws.info().bandwidthStatistics().wireBytesSent();
            }
            a.close().block(WAIT);
            Await.until(() -> active(uri) == 2, WAIT, "two open connections");
            assertEquals(3 * 1000, count("fluxsocket.payload.sent", uri), "the closed one's total and the open ones'");
            assertEquals(sent + 8, count("fluxsocket.data.sent", uri), "and the Close frame of the closed one");
            b.close().block(WAIT);
            c.close().block(WAIT);
            Await.until(() -> active(uri) == 0, WAIT, "no open connection");
            assertEquals(3 * 1000, count("fluxsocket.payload.received", uri));
            assertEquals(3, count("fluxsocket.messages.received", uri));
            assertEquals(3, closes(uri, CloseStatus.NORMAL_CLOSURE, "LOCAL"));
        }
    }

    @Test
    void aConnectToAClosedPortIsCountedByItsStatusAndIsNoHandshakeFailure() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI closed = URI.create("ws://127.0.0.1:" + port + "/");
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> client(MicrometerMetrics.of(registry)).connect(closed).block(WAIT));
        assertEquals(WebErrorStatus.CANNOT_CONNECT, e.status());
        assertEquals(1, connects(tagOf(closed), "CANNOT_CONNECT"));
        assertNull(registry.find("fluxsocket.handshake.failures").meter());
        assertNull(registry.find("fluxsocket.connections.active").meter(), "no connection, no gauge");
    }

    @Test
    void refusedHandshakesAreCountedByStatus() {
        WebSocketClient client = client(MicrometerMetrics.of(registry));
        String[] responses = {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"};
        String uri = null;
        for (String response : responses) {
            try (RawServer server = RawServer.start()) {
                uri = tagOf(server.uri());
                CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri("/a/b?c=d")).toFuture();
                server.acceptHandshake();
                server.respondRaw(response);
                CompletableFuture<Throwable> failure = connecting.handle((ws, t) -> t);
                assertTrue(failure.join() != null);
            }
        }
        // Each RawServer has its own port: the tags differ; sum over them.
        assertEquals(Set.of("NOT_FOUND", "HTTP_ERROR", "PROTOCOL_ERROR"), tagValues("fluxsocket.handshake.failures", "status"));
        assertEquals(2, registry.get("fluxsocket.handshake.failures").tag("status", "NOT_FOUND").counters()
                .stream().mapToDouble(c -> c.count()).sum());
        assertEquals(Set.of("NOT_FOUND", "HTTP_ERROR", "PROTOCOL_ERROR"), tagValues("fluxsocket.connect", "outcome"));
        assertEquals(1, meter("fluxsocket.handshake.failures", uri).tag("status", "PROTOCOL_ERROR").counter().count());
    }

    private Set<String> tagValues(String name, String key) {
        return registry.find(name).meters().stream().map(m -> m.getId().getTag(key)).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void closesAreCountedByCodeAndByWhoClosed() {
        WebSocketClient client = client(MicrometerMetrics.of(registry));
        try (RawServer server = RawServer.start()) {
            String uri = tagOf(server.uri());
            // The server starts the closing handshake: REMOTE, with its code.
            StreamWebSocket ws = server.connect(client);
            ws.receive().subscribe();
            server.sendClose(CloseStatus.GOING_AWAY, "bye");
            assertEquals(new CloseStatus(CloseStatus.GOING_AWAY, "bye", true), ws.closeStatus().block(WAIT));
            Await.until(() -> active(uri) == 0, WAIT, "the connection ended");
            assertEquals(1, closes(uri, CloseStatus.GOING_AWAY, "REMOTE"));
        }
        try (RawServer server = RawServer.start()) {
            String uri = tagOf(server.uri());
            // The client starts it and the server answers with another code: LOCAL, the server's code.
            StreamWebSocket ws = server.connect(client);
            CompletableFuture<Void> closing = ws.close(CloseStatus.NORMAL_CLOSURE, "").toFuture();
            assertEquals(Frame.CLOSE, server.readFrame(WAIT).opcode());
            server.sendClose(CloseStatus.GOING_AWAY, "");
            closing.join();
            Await.until(() -> active(uri) == 0, WAIT, "the connection ended");
            assertEquals(1, closes(uri, CloseStatus.GOING_AWAY, "LOCAL"));
        }
        try (RawServer server = RawServer.start()) {
            String uri = tagOf(server.uri());
            // The server breaks the protocol (a masked frame): the client fails it with 1002.
            StreamWebSocket ws = server.connect(client);
            ws.receive().subscribe(null, e -> { });
            server.sendFrame(true, 0, Frame.BINARY, true, new byte[3]);
            assertEquals(CloseStatus.PROTOCOL_ERROR, ws.closeStatus().block(WAIT).code());
            Await.until(() -> active(uri) == 0, WAIT, "the connection ended");
            assertEquals(1, closes(uri, CloseStatus.PROTOCOL_ERROR, "FAILURE"));
        }
        try (RawServer server = RawServer.start()) {
            String uri = tagOf(server.uri());
            // TCP ends without a Close: 1006.
            StreamWebSocket ws = server.connect(client);
            ws.receive().subscribe(null, e -> { });
            server.closeTcp();
            assertEquals(CloseStatus.ABNORMAL_CLOSURE, ws.closeStatus().block(WAIT).code());
            Await.until(() -> active(uri) == 0, WAIT, "the connection ended");
            assertEquals(1, closes(uri, CloseStatus.ABNORMAL_CLOSURE, "FAILURE"));
        }
    }

    @Test
    void pingRoundTripsAreTimed() {
        try (TestServer server = TestServer.echoing()) {
            String uri = tagOf(server.uri());
            StreamWebSocket ws = client(MicrometerMetrics.of(registry)).connect(server.uri()).block(WAIT);
            Duration one = ws.ping(ByteBuffer.wrap(new byte[] {1})).block(WAIT);
            Duration two = ws.ping(ByteBuffer.wrap(new byte[] {2})).block(WAIT);
            Timer pings = meter("fluxsocket.ping", uri).timer();
            assertEquals(2, pings.count());
            assertEquals(one.plus(two).toNanos(), (long) pings.totalTime(TimeUnit.NANOSECONDS));
            ws.close().block(WAIT);
        }
    }

    @Test
    void theTimeReadsWerePausedIsTheConnectionsOwn() {
        byte[] chunk = new byte[64 * 1024];
        try (TestServer server = new TestServer((in, out) -> out.sendObject(
                Flux.<Object>generate(sink -> sink.next(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(chunk))))))) {
            String uri = tagOf(server.uri());
            StreamWebSocket ws = client(MicrometerMetrics.of(registry)).connect(server.uri()).block(WAIT);
            // 1 MiB on demand, so that reads began, then nothing: reads pause.
            BaseSubscriber<ByteBuffer> subscriber = new BaseSubscriber<>() {
                long received;

                @Override
                protected void hookOnSubscribe(Subscription s) {
                    s.request(1);
                }

                @Override
                protected void hookOnNext(ByteBuffer piece) {
                    received += piece.remaining();
                    if (received < (1 << 20)) {
                        request(1);
                    }
                }
            };
            ws.receive().subscribe(subscriber);
            Await.until(() -> count("fluxsocket.receive.paused", uri) > 0, WAIT, "paused time while reads are paused");
            double first = count("fluxsocket.receive.paused", uri);
            Await.until(() -> count("fluxsocket.receive.paused", uri) > first, WAIT, "the pause going on is counted as it lasts");
            subscriber.dispose();
            ws.close().block(WAIT);
            Await.until(() -> active(uri) == 0, WAIT, "the connection ended");
            assertEquals(ws.info().bandwidthStatistics().inboundPaused().toNanos() / 1e9, count("fluxsocket.receive.paused", uri));
        }
    }

    @Test
    void theDefaultUriTagIsSchemeHostAndPortWithoutPathOrQuery() {
        try (TestServer server = TestServer.echoing()) {
            WebSocketClient client = client(MicrometerMetrics.of(registry));
            for (String path : List.of("/", "/users/1?token=a", "/users/2?token=b", "")) {
                URI u = URI.create("ws://127.0.0.1:" + server.port() + path);
                client.connect(u).flatMap(ws -> ws.close()).block(WAIT);
            }
            client.connect(URI.create("WS://LOCALHOST:" + server.port() + "/x")).flatMap(ws -> ws.close()).block(WAIT);
            assertEquals(Set.of(tagOf(server.uri()), "ws://localhost:" + server.port()), tagValues("fluxsocket.connect", "uri"));
            assertEquals(4, connects(tagOf(server.uri()), "SUCCESS"));
        }
        assertEquals("wss://example.org:443", MicrometerMetrics.schemeHostPort(URI.create("wss://user@Example.org/a?b")));
        assertEquals("ws://example.org:80", MicrometerMetrics.schemeHostPort(URI.create("ws://example.org")));
        assertEquals("ws://[::1]:8080", MicrometerMetrics.schemeHostPort(URI.create("ws://[::1]:8080/")));
    }

    @Test
    void uriTagValuesComeFromTheFunction() {
        try (TestServer server = TestServer.echoing()) {
            WebSocketClient client = client(MicrometerMetrics.of(registry)
                    .uriTagValue(u -> u.getPath().startsWith("/users/") ? "/users/{id}" : "other"));
            for (String path : List.of("/users/1", "/users/2", "/about")) {
                StreamWebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + path)).block(WAIT);
                ws.ping(ByteBuffer.allocate(0)).block(WAIT);
                ws.close().block(WAIT);
            }
            assertEquals(Set.of("/users/{id}", "other"), tagValues("fluxsocket.connect", "uri"));
            assertEquals(Set.of("/users/{id}", "other"), tagValues("fluxsocket.ping", "uri"));
            assertEquals(Set.of("/users/{id}", "other"), tagValues("fluxsocket.data.sent", "uri"));
            assertEquals(2, connects("/users/{id}", "SUCCESS"));
            Await.until(() -> active("/users/{id}") == 0 && active("other") == 0, WAIT, "the connections ended");
            assertEquals(2, closes("/users/{id}", CloseStatus.NORMAL_CLOSURE, "LOCAL"));
        }
    }

    @Test
    void aFailingTagFunctionLeavesTheConnectionUnreported() {
        try (TestServer server = TestServer.echoing()) {
            WebSocketClient client = client(MicrometerMetrics.of(registry).uriTagValue(u -> null));
            StreamWebSocket ws = client.connect(server.uri()).block(WAIT);
            ws.send(Mono.just(ByteBuffer.wrap(new byte[10]))).block(WAIT);
            assertEquals(10, ws.receive().take(1).map(ByteBuffer::remaining).blockFirst(WAIT));
            ws.close().block(WAIT);
            assertEquals(List.of(), registry.getMeters());
        }
    }

    @Test
    void aCancelledConnectIsCountedAsCancelledAndABadUriNotAtAll() {
        try (RawServer server = RawServer.start()) {
            Disposable connecting = client(MicrometerMetrics.of(registry)).connect(server.uri()).subscribe(ws -> { }, e -> { });
            server.acceptHandshake();
            connecting.dispose();
            assertEquals(1, connects(tagOf(server.uri()), "CANCELLED"));
            server.expectEof(WAIT);
        }
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> client(MicrometerMetrics.of(registry)).connect(URI.create("http://127.0.0.1:1/")).block(WAIT));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertEquals(1, registry.find("fluxsocket.connect").meters().size(), "the cancelled connect only");
    }

    @Test
    void nullArgumentsAreRefusedNamingThem() {
        WebSocketException e = assertThrows(WebSocketException.class, () -> MicrometerMetrics.of(null));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertEquals("registry: must not be null", e.getMessage());
        e = assertThrows(WebSocketException.class, () -> MicrometerMetrics.of(registry).uriTagValue(null));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, WebSocketError.status(e));
        assertEquals("uriTagValue: must not be null", e.getMessage());
        e = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().metrics(null));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertEquals("metrics: must not be null", e.getMessage());
    }

    @Test
    void everyMeterIsNamedUnderTheFluxsocketPrefixAndTaggedWithTheUri() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = client(MicrometerMetrics.of(registry)).connect(server.uri()).block(WAIT);
            ws.ping(ByteBuffer.allocate(0)).block(WAIT);
            ws.close().block(WAIT);
            Await.until(() -> registry.find("fluxsocket.connections.closed").counter() != null, WAIT, "the close counted");
        }
        Set<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("fluxsocket.connect", "fluxsocket.connections.active", "fluxsocket.connections.closed",
                "fluxsocket.ping", "fluxsocket.data.sent", "fluxsocket.data.received", "fluxsocket.payload.sent",
                "fluxsocket.payload.received", "fluxsocket.messages.sent", "fluxsocket.messages.received",
                "fluxsocket.receive.paused")), names);
        for (Meter m : registry.getMeters()) {
            assertTrue(m.getId().getTag("uri") != null, m.getId().toString());
        }
        assertEquals("bytes", registry.get("fluxsocket.data.sent").functionCounter().getId().getBaseUnit());
        assertEquals("seconds", registry.get("fluxsocket.receive.paused").functionCounter().getId().getBaseUnit());
    }
}
