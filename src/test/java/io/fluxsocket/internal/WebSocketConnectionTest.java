package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.internal.ConnectionState;
import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.fluxsocket.internal.ConnectionState.CLOSED;
import static io.fluxsocket.internal.ConnectionState.CLOSE_QUEUED;
import static io.fluxsocket.internal.ConnectionState.CLOSE_RECEIVED;
import static io.fluxsocket.internal.ConnectionState.CLOSE_SENT;
import static io.fluxsocket.internal.ConnectionState.FAILED;
import static io.fluxsocket.internal.ConnectionState.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection owner: its state diagram, and what it keeps per connection. */
@Timeout(120)
class WebSocketConnectionTest {

    @Test
    void theStateMachineAllowsExactlyTheTransitionsOfItsDiagram() {
        Map<ConnectionState, Set<ConnectionState>> diagram = Map.of(
                OPEN, EnumSet.of(CLOSE_QUEUED, CLOSE_RECEIVED, FAILED, CLOSED),
                CLOSE_QUEUED, EnumSet.of(CLOSE_SENT, CLOSE_RECEIVED, FAILED, CLOSED),
                CLOSE_SENT, EnumSet.of(CLOSE_RECEIVED, FAILED, CLOSED),
                CLOSE_RECEIVED, EnumSet.of(CLOSED),
                FAILED, EnumSet.of(CLOSED),
                CLOSED, EnumSet.noneOf(ConnectionState.class));
        for (ConnectionState from : ConnectionState.values()) {
            for (ConnectionState to : ConnectionState.values()) {
                assertEquals(diagram.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void tenThousandOutputStreamsOnOneConnectionLeaveNoSubscriberBehind() throws Exception {
        try (TestServer server = new TestServer((in, out) -> in.receiveFrames().then())) {
            WebSocketConnection connection = new DefaultWebSocketClient(config())
                    .open(server.uri(), null, Mode.STREAM).block(Duration.ofSeconds(10));
            StreamWebSocket ws = new DefaultStreamWebSocket(connection);
            for (int i = 0; i < 10_000; i++) {
                try (OutputStream out = ws.outputStream()) {
                    out.write(i);
                }
            }
            int subscribers = connection.channel().eventLoop().submit(connection::closeStatusSubscribers).get();
            assertTrue(subscribers <= 1, "closeStatus() subscribers after 10,000 streams: " + subscribers);
            assertEquals(10_000, ws.info().bytesSent());
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    /**
     * The server's RST is read just before a {@code close()} call's task runs: Netty has closed the
     * channel and tells the handlers in a later task, so the Close frame's write fails at once, which
     * fails the connection; the close must end with the connection, not throw "illegal transition
     * FAILED -> CLOSE_SENT" out of the event loop's task (seen in the 30-minute soak).
     */
    @Test
    void aCloseWhoseFrameFailsAtOnceOnASocketJustClosedEndsWithTheConnection() throws Exception {
        try (TestServer server = new TestServer((in, out) -> in.receiveFrames().then())) {
            WebSocketConnection connection = new DefaultWebSocketClient(config())
                    .open(server.uri(), null, Mode.STREAM).block(Duration.ofSeconds(10));
            CompletableFuture<Void> closing = connection.channel().eventLoop().submit(() -> {
                connection.channel().close();
                return connection.close(1000, "bye").toFuture();
            }).get();
            closing.get(10, TimeUnit.SECONDS);
            io.fluxsocket.CloseStatus status = connection.closeStatus().block(Duration.ofSeconds(10));
            assertEquals(1006, status.code(), "no Close went out: " + status);
        }
    }

    private static ClientConfig config() {
        return new ClientConfig(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(5), true,
                Map.of(), List.of(), 64 * 1024, 256 * 1024, 1024 * 1024, 1 << 20, ReceiveMode.WHOLE);
    }
}
