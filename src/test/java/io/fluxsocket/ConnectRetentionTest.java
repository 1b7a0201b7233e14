package io.fluxsocket;

import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.BaseSubscriber;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an open connection keeps on the heap: not the chain that connected it. Reactor Netty keeps
 * the connect's subscriber for as long as the channel lives; the client cuts it loose once the
 * connection is there, so an idle connection costs its own state only (the idle-heap benchmark
 * counts the bytes; this test proves the reference is gone).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectRetentionTest {

    @Test
    void anOpenConnectionKeepsNoReferenceToTheSubscriberThatConnectedIt() throws Exception {
        WebSocketClient client = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(2)).build();
        try (TestServer server = TestServer.echoing()) {
            CompletableFuture<StreamWebSocket> opened = new CompletableFuture<>();
            WeakReference<Object> subscriber = subscribe(client, server, opened);
            StreamWebSocket ws = opened.get(10, TimeUnit.SECONDS);

            for (int i = 0; i < 50 && subscriber.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertNull(subscriber.get(), "the connect's subscriber is still reachable from the open connection");
            assertTrue(ws.info().bytesReceived() >= 0, "the connection itself stays reachable and usable");
            ws.close().block(Duration.ofSeconds(5));
        }
    }

    /** Subscribes a subscriber that hands the connection on and is referenced weakly only. */
    private static WeakReference<Object> subscribe(WebSocketClient client, TestServer server,
            CompletableFuture<StreamWebSocket> opened) {
        BaseSubscriber<StreamWebSocket> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(1);
            }

            @Override
            protected void hookOnNext(StreamWebSocket ws) {
                opened.complete(ws);
            }
        };
        client.connect(server.uri()).subscribe(subscriber);
        return new WeakReference<>(subscriber);
    }
}
