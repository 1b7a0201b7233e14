package io.fluxsocket;

import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

import static io.fluxsocket.testing.RawServer.concat;
import static io.fluxsocket.testing.RawServer.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compression bomb: one message of 1 GiB of zeros, about 1 MiB compressed. With a subscriber
 * that stops asking, the client holds no more than it would of uncompressed data (the receive
 * budget, plus one inflation step), reads no further than one socket read past what it inflated,
 * and delivers all of it once asked; in whole mode it fails with 1009 once the inflated size passes
 * {@code maxMessageSize}, without inflating the rest.
 */
class InflationBoundTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long INFLATED = 1L << 30;
    private static final int BUDGET = 256 * 1024;
    /** One inflation step: the most the inbound side takes past its budget from the inflater. */
    private static final int STEP = 16 * 1024;
    /** The most one socket read brings. */
    private static final int READ = 64 * 1024;

    /** 1 GiB of zeros as one compressed message's payload. */
    private static byte[] bomb;

    @BeforeAll
    static void deflateTheBomb() {
        Deflater deflater = new Deflater(9, true);
        byte[] zeros = new byte[1 << 20];
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        byte[] buffer = new byte[64 * 1024];
        for (int i = 0; i < INFLATED / zeros.length; i++) {
            deflater.setInput(zeros);
            while (!deflater.needsInput()) {
                out.write(buffer, 0, deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH));
            }
        }
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length);
        deflater.end();
        byte[] all = out.toByteArray();
        bomb = java.util.Arrays.copyOf(all, all.length - 4);
    }

    private static WebSocketClient.Builder client() {
        return WebSocketClient.builder().perMessageDeflate(PerMessageDeflate.defaults()).receiveBufferBytes(BUDGET);
    }

    private static <T> T open(RawServer server, Mono<T> connect) {
        CompletableFuture<T> connecting = connect.toFuture();
        server.acceptHandshake();
        server.respond101("Sec-WebSocket-Extensions: permessage-deflate");
        return connecting.orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** Takes one piece, then nothing until told; counts what it got. */
    static final class Paused extends BaseSubscriber<ByteBuffer> {
        final AtomicLong consumed = new AtomicLong();
        final CompletableFuture<Long> done = new CompletableFuture<>();

        @Override
        protected void hookOnSubscribe(Subscription s) {
            s.request(1);
        }

        @Override
        protected void hookOnNext(ByteBuffer b) {
            for (int i = b.position(); i < b.limit(); i++) {
                if (b.get(i) != 0) {
                    done.completeExceptionally(new AssertionError("a byte other than 0 at " + (consumed.get() + i)));
                }
            }
            consumed.addAndGet(b.remaining());
        }

        @Override
        protected void hookOnComplete() {
            done.complete(consumed.get());
        }

        @Override
        protected void hookOnError(Throwable t) {
            done.completeExceptionally(t);
        }
    }

    @Test
    void aPausedSubscriberHoldsTheBombWithinTheBudgetAndGetsAllOfItWhenItAsks() throws Exception {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, client().build().connect(server.uri()));
            assertBoundedThenDelivered(server, ws.info(), ws.receive());
            ws.close().block(WAIT);
        }
    }

    @Test
    void aStreamedMessageOfTheBombIsHeldWithinTheBudgetToo() throws Exception {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().receiveMode(ReceiveMode.STREAMED).build().connectMessages(server.uri()));
            assertBoundedThenDelivered(server, ws.info(), ws.receive().concatMap(WebSocketMessage::content));
            ws.close().block(WAIT);
        }
    }

    private void assertBoundedThenDelivered(RawServer server, WebSocketInfo info, reactor.core.publisher.Flux<ByteBuffer> data)
            throws Exception {
        Paused subscriber = new Paused();
        data.subscribe(subscriber);
        CompletableFuture<Void> written = server.writeAsync(concat(
                header(true, 4, Frame.BINARY, false, bomb.length), bomb));
        Await.until(() -> subscriber.consumed.get() > 0 && info.bandwidthStatistics().inboundPaused()
                .compareTo(Duration.ZERO) > 0, WAIT, "reads paused by the subscriber");
        PooledByteBufAllocatorMetric pool = PooledByteBufAllocator.DEFAULT.metric();
        for (int i = 0; i < 5; i++) {
            // Checked a few times: nothing grows while the subscriber waits.
            long held = info.bytesReceived() - subscriber.consumed.get();
            assertTrue(held <= BUDGET + STEP, "held " + held + " bytes inflated, bound " + (BUDGET + STEP));
            long wire = info.bandwidthStatistics().wireBytesReceived();
            assertTrue(wire <= 2L * READ, "read " + wire + " bytes off the wire of " + bomb.length);
            long pooled = pool.usedHeapMemory() + pool.usedDirectMemory();
            assertTrue(pooled <= 64L << 20, "pooled buffers in use: " + pooled);
            System.out.printf("bomb paused: %d bytes inflated held (bound %d), %d of %d compressed bytes read, "
                    + "%d bytes in pooled chunks%n", held, BUDGET + STEP, wire, bomb.length, pooled);
            // An observation window, not a wait for a signal: the bound must hold all along.
            Thread.sleep(100);
        }
        subscriber.request(Long.MAX_VALUE);
        written.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        server.sendClose(1000, "");
        assertEquals(INFLATED, subscriber.done.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(INFLATED, info.bytesReceived());
    }

    @Test
    void aWholeMessageFailsWith1009AsSoonAsItInflatesPastMaxMessageSize() throws Exception {
        int max = 1 << 20;
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().maxMessageSize(max).build().connectMessages(server.uri()));
            WebSocketInfo info = ws.info();
            CompletableFuture<WebSocketMessage> first = ws.receive().next().toFuture();
            server.writeAsync(concat(header(true, 4, Frame.BINARY, false, bomb.length), bomb));
            Throwable t = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).getCause();
            WebSocketException e = assertInstanceOf(WebSocketException.class, t);
            assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, e.status(), e::toString);
            assertEquals(CloseStatus.MESSAGE_TOO_BIG, e.closeCode());
            long inflated = info.bytesReceived();
            assertTrue(inflated <= max + STEP, "inflated " + inflated + " bytes, limit " + max);
            assertEquals(CloseStatus.MESSAGE_TOO_BIG, ws.closeStatus().block(WAIT).code());
        }
    }

}
