package io.fluxsocket.soak;

import io.fluxsocket.WebSocketClient;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A connect cancelled at any moment leaves no connection open. Open bug, found by the soak: when
 * the cancel reaches the connect timeout ({@code Mono.timeout} in {@code DefaultWebSocketClient.open})
 * just as the event loop hands it the open connection, the timeout operator drops the connection
 * ({@code Operators.onNextDropped}: Reactor's hook, DEBUG log by default) and its cancel no longer
 * reaches the handshake's {@code Mono.create} (already succeeded), so nothing closes the channel: the
 * connection stays open, owned by nobody, until the server or the network ends it. The same race
 * should exist between a handshake that succeeds and the connect timeout firing (by reading
 * FluxTimeout, which drops a value that comes after its timeout; not reproduced). Disabled until fixed:
 * enabled, it failed here with 9 of 2,000 connections left open and 10 dropped connections
 * reported by ErrorDetectionExtension.
 */
class ConnectCancelTest {

    @Test
    @Disabled("open bug: a connect cancelled as its handshake succeeds leaves the connection open (see the class javadoc)")
    void aConnectCancelledAtAnyMomentLeavesNoConnectionOpen() throws Exception {
        try (SoakServer server = new SoakServer()) {
            WebSocketClient client = WebSocketClient.create();
            for (int i = 0; i < 2000; i++) {
                Disposable connect = client.connect(server.uri()).subscribe(ws -> ws.close().subscribe());
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000));
                connect.dispose();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, server.openConnections(), "connections left open by cancelled connects");
        }
    }
}
