package io.fluxsocket;

import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link WebSocketMetrics} contract as the client keeps it: each connect ends in one event, each
 * connection that connected closes once, with the same {@link WebSocketInfo}, on its event loop; a
 * bad URI is no connect; who closed; metrics that throw change nothing.
 */
@Timeout(30)
class WebSocketMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Records what it is told, as lines; the connection and thread checks fail it loudly. */
    private static final class Recorder implements WebSocketMetrics {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Duration> durations = new CopyOnWriteArrayList<>();
        volatile WebSocketInfo connection;

        @Override
        public void connected(URI uri, Duration duration, WebSocketInfo connection) {
            this.connection = connection;
            durations.add(duration);
            events.add("connected " + uri.getPath() + onEventLoop());
        }

        @Override
        public void connectFailed(URI uri, Duration duration, WebErrorStatus status) {
            durations.add(duration);
            events.add("connectFailed " + status);
        }

        @Override
        public void connectCancelled(URI uri, Duration duration) {
            events.add("connectCancelled");
        }

        @Override
        public void pinged(WebSocketInfo connection, Duration roundTrip) {
            assertSame(this.connection, connection);
            events.add("pinged" + onEventLoop());
        }

        @Override
        public void closed(WebSocketInfo connection, CloseStatus status, ClosedBy closedBy) {
            assertSame(this.connection, connection);
            events.add("closed " + status.code() + " " + closedBy + onEventLoop());
        }

        private static String onEventLoop() {
            return Schedulers.isInNonBlockingThread() ? "" : " NOT ON THE EVENT LOOP";
        }
    }

    @Test
    void aConnectionIsToldOnceOpenItsPingsAndOnceClosedOnItsEventLoop() {
        Recorder metrics = new Recorder();
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.builder().metrics(metrics).build()
                    .connect(URI.create(server.uri() + "chat")).block(WAIT);
            assertSame(ws.info(), metrics.connection);
            Duration rtt = ws.ping(ByteBuffer.allocate(0)).block(WAIT);
            assertTrue(rtt.toNanos() > 0);
            ws.close().block(WAIT);
            Await.until(() -> metrics.events.size() == 3, WAIT, "the close told");
            assertEquals(List.of("connected /chat", "pinged", "closed 1000 LOCAL"), metrics.events);
        }
    }

    @Test
    void aConnectThatTimesOutIsAFailureWithTimeoutAfterTheConnectTimeout() {
        Recorder metrics = new Recorder();
        try (RawServer server = RawServer.start()) {
            Duration timeout = Duration.ofMillis(300);
            CompletableFuture<StreamWebSocket> connecting = WebSocketClient.builder().metrics(metrics)
                    .connectTimeout(timeout).build().connect(server.uri()).toFuture();
            server.acceptHandshake();
            // No answer.
            WebSocketException e = (WebSocketException) assertThrows(Exception.class, connecting::join).getCause();
            assertEquals(WebErrorStatus.TIMEOUT, e.status());
            assertEquals(List.of("connectFailed TIMEOUT"), metrics.events);
            assertTrue(metrics.durations.get(0).compareTo(timeout) >= 0, metrics.durations.toString());
        }
    }

    @Test
    void aCancelledConnectIsToldOnceAndABadUriNotAtAll() {
        Recorder metrics = new Recorder();
        WebSocketClient client = WebSocketClient.builder().metrics(metrics).build();
        try (RawServer server = RawServer.start()) {
            Disposable connecting = client.connect(server.uri()).subscribe(ws -> { }, e -> { });
            server.acceptHandshake();
            connecting.dispose();
            connecting.dispose();
            server.expectEof(WAIT);
        }
        assertThrows(WebSocketException.class, () -> client.connect(URI.create("http://127.0.0.1:1/")).block(WAIT));
        assertThrows(WebSocketException.class, () -> client.connect((URI) null).block(WAIT));
        assertEquals(List.of("connectCancelled"), metrics.events);
    }

    @Test
    void whoClosedIsTheSideWhoseCloseFrameWentFirst() {
        Recorder metrics = new Recorder();
        WebSocketClient client = WebSocketClient.builder().metrics(metrics).idleTimeout(Duration.ofMillis(200)).build();
        try (RawServer server = RawServer.start()) {
            // The idle timeout closes with 1001: the client's Close goes first; the server answers 1000.
            StreamWebSocket ws = server.connect(client);
            Frame close = server.readFrame(WAIT);
            assertEquals(CloseStatus.GOING_AWAY, close.closeCode());
            server.sendClose(CloseStatus.NORMAL_CLOSURE, "");
            assertEquals(CloseStatus.NORMAL_CLOSURE, ws.closeStatus().block(WAIT).code());
        }
        try (RawServer server = RawServer.start()) {
            // close() was called, but its Close waits behind a message whose publisher has not
            // ended: the server's Close is the first on the wire.
            StreamWebSocket ws = server.connect(client);
            ws.receive().subscribe();
            ws.send(Mono.never()).subscribe(null, e -> { });
            ws.close().subscribe();
            server.sendClose(CloseStatus.GOING_AWAY, "");
            assertEquals(CloseStatus.GOING_AWAY, ws.closeStatus().block(WAIT).code());
        }
        Await.until(() -> metrics.events.size() == 4, WAIT, "both closes told");
        assertEquals(List.of("connected /", "closed 1000 LOCAL", "connected /", "closed 1001 REMOTE"), metrics.events);
    }

    @Test
    void metricsThatThrowChangeNothing() {
        List<String> calls = new CopyOnWriteArrayList<>();
        WebSocketMetrics failing = new WebSocketMetrics() {
            @Override
            public void connected(URI uri, Duration duration, WebSocketInfo connection) {
                calls.add("connected");
                throw new IllegalStateException("connected");
            }

            @Override
            public void pinged(WebSocketInfo connection, Duration roundTrip) {
                calls.add("pinged");
                throw new IllegalStateException("pinged");
            }

            @Override
            public void closed(WebSocketInfo connection, CloseStatus status, ClosedBy closedBy) {
                calls.add("closed");
                throw new IllegalStateException("closed");
            }
        };
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.builder().metrics(failing).build().connect(server.uri()).block(WAIT);
            ws.ping(ByteBuffer.allocate(1)).block(WAIT);
            ws.send(Mono.just(ByteBuffer.wrap(new byte[7]))).block(WAIT);
            assertEquals(7, ws.receive().take(1).map(ByteBuffer::remaining).blockFirst(WAIT));
            ws.close().block(WAIT);
            assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, "", true), ws.closeStatus().block(WAIT));
            Await.until(() -> calls.size() == 3, WAIT, "every call made");
            assertEquals(List.of("connected", "pinged", "closed"), calls);
        }
    }
}
