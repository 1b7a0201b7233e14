package io.fluxsocket;

import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract of {@link StreamWebSocket} that is not about closing or framing. */
@Timeout(60)
class StreamWebSocketTest {

    private static final int FRAME = 4096;

    private static TestServer pushing(int frames) {
        return TestServer.pushing(frames, FRAME);
    }

    @Test
    void receiveDeliversNoMoreThanRequested() {
        try (TestServer server = pushing(100)) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            BytePattern.Checker checker = new BytePattern.Checker();
            StepVerifier.create(ws.receive().doOnNext(checker::accept), 0)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(200))
                    .thenRequest(2)
                    .expectNextCount(2)
                    .expectNoEvent(Duration.ofMillis(200))
                    .thenRequest(Long.MAX_VALUE)
                    // Frames may come in pieces (split across socket reads): count bytes, not buffers.
                    .thenConsumeWhile(b -> true)
                    .verifyComplete();
            assertEquals(100L * FRAME, checker.offset());
        }
    }

    @Test
    void aFrameLargerThanMaxFramePayloadIsDeliveredInPiecesAsItArrives() {
        int size = 1 << 20;
        byte[] payload = BytePattern.chunk(0, size).array();
        WebSocketClient client = WebSocketClient.builder().maxFramePayload(125).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respond101();
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();
            BytePattern.Checker checker = new BytePattern.Checker();
            ws.receive().subscribe(checker::accept);

            // The header announces 1 MiB, but only half of it is sent: that half arrives anyway.
            server.write(RawServer.header(true, 0, Frame.BINARY, false, size), Arrays.copyOf(payload, size / 2));
            Await.until(() -> ws.info().bytesReceived() == size / 2, Duration.ofSeconds(10), "the first half arrived");
            server.write(Arrays.copyOfRange(payload, size / 2, size));
            Await.until(() -> ws.info().bytesReceived() == size, Duration.ofSeconds(10), "the rest arrived");
            ws.close().subscribe();
            server.readFrame().assertClose(1000);
            server.sendClose(1000, "");
            assertEquals(1000, ws.closeStatus().block(Duration.ofSeconds(10)).code());
            assertEquals(size, checker.offset(), "every byte, in order");
        }
    }

    @Test
    void receiveAcceptsOneSubscriberOnly() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            ws.receive().subscribe();
            StepVerifier.create(ws.receive())
                    .expectErrorSatisfies(e -> {
                        assertTrue(e instanceof IllegalStateException, e.toString());
                        assertTrue(e.getMessage().contains("one subscriber"), e.getMessage());
                    })
                    .verify(Duration.ofSeconds(5));
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void buffersStayValidAfterOnNextReturns() {
        try (TestServer server = pushing(300)) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            // Kept without copying: if a pooled buffer escaped, later frames would overwrite it.
            List<ByteBuffer> kept = ws.receive().collectList().block(Duration.ofSeconds(20));
            BytePattern.Checker checker = new BytePattern.Checker();
            kept.forEach(checker::accept);
            assertEquals(300L * FRAME, checker.offset());
            assertTrue(kept.stream().allMatch(ByteBuffer::hasArray), "heap buffers the subscriber owns");
        }
    }

    @Test
    void infoReportsAddressesAndByteCounts() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            Mono<Long> echoed = ws.receive().map(b -> (long) b.remaining()).scan(0L, Long::sum)
                    .takeUntil(n -> n >= 10_000).last();
            ws.send(Mono.just(ByteBuffer.allocate(10_000))).then(echoed).block(Duration.ofSeconds(10));
            WebSocketInfo info = ws.info();
            assertEquals(10_000, info.bytesSent());
            assertEquals(10_000, info.bytesReceived());
            assertEquals(server.uri().getPort(), info.remoteAddress().getPort());
            assertTrue(info.localAddress().getAddress().isLoopbackAddress());
            assertFalse(info.subprotocol().isPresent());
            ws.close().block(Duration.ofSeconds(10));
        }
    }
}
