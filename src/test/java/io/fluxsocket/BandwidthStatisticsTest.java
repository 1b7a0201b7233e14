package io.fluxsocket;

import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code info().bandwidthStatistics()}: counts each way, rates, and the time reads were paused. */
@Timeout(60)
class BandwidthStatisticsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A server that sends 64 KiB binary frames until the client goes. */
    private static TestServer endless() {
        byte[] chunk = new byte[64 * 1024];
        return new TestServer((in, out) -> out.sendObject(
                Flux.<Object>generate(sink -> sink.next(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(chunk))))));
    }

    @Test
    void bytesOnTheWireAreThePayloadPlusEachFramesHeaderAndMessagesAreCountedEachWay() {
        int n = 50;
        int size = 100;
        try (TestServer server = TestServer.echoing()) {
            MessageWebSocket ws = WebSocketClient.create().connectMessages(server.uri()).block(WAIT);
            BandwidthStatistics before = ws.info().bandwidthStatistics();
            assertEquals(0, before.wireBytesSent());
            assertEquals(0, before.messagesReceived());
            ws.send(Flux.range(0, n).map(i -> WebSocketMessage.binary(BytePattern.chunk((long) i * size, size))))
                    .block(WAIT);
            assertEquals(n, ws.receive().take(n).count().block(WAIT));
            BandwidthStatistics s = ws.info().bandwidthStatistics();
            assertEquals((long) n * size, s.bytesSent());
            assertEquals((long) n * size, s.bytesReceived());
            // Client frames: 2 header bytes and a 4-byte masking key; the server's: 2 header bytes.
            assertEquals((long) n * (size + 6), s.wireBytesSent());
            assertEquals((long) n * (size + 2), s.wireBytesReceived());
            assertEquals(n, s.messagesSent());
            assertEquals(n, s.messagesReceived());
            ws.close().block(WAIT);
        }
    }

    @Test
    void aPingsFramesCountOnTheWireButNotAsPayloadOrMessages() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(WAIT);
            ws.ping(ByteBuffer.wrap(new byte[10])).block(WAIT);
            BandwidthStatistics s = ws.info().bandwidthStatistics();
            assertEquals(16, s.wireBytesSent(), "the Ping: 6 header bytes and 10 of payload");
            assertEquals(12, s.wireBytesReceived(), "the Pong: 2 header bytes and 10 of payload");
            assertEquals(0, s.bytesSent());
            assertEquals(0, s.messagesSent());
            assertEquals(0, s.messagesReceived());
            ws.close().block(WAIT);
        }
    }

    @Test
    void ratesArePositiveWhileDataMovesAndZeroOnceNothingMovedForASecond() {
        try (TestServer server = TestServer.echoing()) {
            MessageWebSocket ws = WebSocketClient.create().connectMessages(server.uri()).block(WAIT);
            ws.receive().subscribe(null, e -> { });
            // A steady stream of 16 KiB messages, echoed, until it is disposed (ticks the send has
            // no room for are dropped: on a loaded machine an interval overflows otherwise).
            var sending = ws.send(Flux.interval(Duration.ofMillis(5)).onBackpressureDrop()
                    .map(i -> WebSocketMessage.binary(BytePattern.chunk(0, 16 * 1024)))).subscribe();
            Await.until(() -> {
                BandwidthStatistics s = ws.info().bandwidthStatistics();
                return s.outboundBitsPerSecond() > 0 && s.inboundBitsPerSecond() > 0;
            }, WAIT, "rates each way while messages are echoed");
            Await.until(() -> ws.info().bandwidthStatistics().inboundBandwidthPeaked(), WAIT,
                    "the inbound rate near its highest while the transfer runs");
            sending.dispose();
            Await.until(() -> {
                BandwidthStatistics s = ws.info().bandwidthStatistics();
                return s.outboundBitsPerSecond() == 0 && s.inboundBitsPerSecond() == 0;
            }, WAIT, "the rates back to 0 once nothing moved for a second");
            BandwidthStatistics s = ws.info().bandwidthStatistics();
            assertFalse(s.inboundBandwidthPeaked(), "no peak at rate 0");
            assertFalse(s.outboundBandwidthPeaked(), "no peak at rate 0");
            assertTrue(s.messagesSent() > 0 && s.messagesReceived() > 0);
            ws.close().block(WAIT);
            assertEquals(0, ws.info().bandwidthStatistics().inboundBitsPerSecond(), "a closed connection moves nothing");
        }
    }

    @Test
    void theTimeReadsArePausedByASubscriberThatAsksForNothingGrowsUntilItAsksAgain() {
        try (TestServer server = endless()) {
            StreamWebSocket ws = WebSocketClient.builder().receiveBufferBytes(256 * 1024).build()
                    .connect(server.uri()).block(WAIT);
            // Asks one piece at a time until 1 MiB came, then for nothing: more than the budget and
            // a read past it, so reads had begun (what came with the handshake cannot be all of it).
            class MegabyteThenWait extends BaseSubscriber<ByteBuffer> {
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
            }
            MegabyteThenWait subscriber = new MegabyteThenWait();
            ws.receive().subscribe(subscriber);
            Await.until(() -> ws.info().bandwidthStatistics().inboundPaused().compareTo(Duration.ZERO) > 0, WAIT,
                    "reads paused by the subscriber's lack of demand");
            Duration first = ws.info().bandwidthStatistics().inboundPaused();
            Await.until(() -> ws.info().bandwidthStatistics().inboundPaused().compareTo(first) > 0, WAIT,
                    "the pause going on is counted as it lasts");
            subscriber.request(Long.MAX_VALUE);
            long received = ws.info().bytesReceived();
            Await.until(() -> ws.info().bytesReceived() > received + (1 << 20), WAIT, "reads resumed");
            subscriber.dispose();
            ws.close().toFuture();
        }
    }

    @Test
    void anIdleConnectionReportsZeros() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(WAIT);
            BandwidthStatistics s = ws.info().bandwidthStatistics();
            assertEquals(new BandwidthStatistics(0, 0, 0, 0, 0, 0, 0, 0, false, false, Duration.ZERO), s);
            ws.close().block(WAIT);
        }
    }
}
