package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Demand on {@code receive()} is what reads the socket: a subscriber that stops requesting while
 * the server pushes 1 GiB makes the library stop at its byte bound and the server's channel go
 * unwritable; resuming then delivers every byte once, in order.
 */
@Tag("volume")
@Timeout(120)
class InboundBackpressureTest {

    private static final int FRAME = 64 * 1024;
    private static final long TOTAL = 1L << 30;
    private static final int BUDGET = 256 * 1024;

    @Test
    void slowSubscriberStopsSocketReadsWithinTheByteBoundAndResumesExactlyOnce() throws Exception {
        pushPauseResume(TOTAL, FRAME, 64);
    }

    @Test
    void smallFramesPausedInTheMiddleOfASocketReadStayWithinTheBound() throws Exception {
        // 1 KiB frames: one socket read decodes into many frames, so some wait in the queue.
        pushPauseResume(64L << 20, 1024, 1000);
    }

    private static void pushPauseResume(long total, int frameSize, int firstDemand) throws Exception {
        int frames = (int) (total / frameSize);
        try (TestServer server = new TestServer((in, out) -> out.sendObject(Flux.range(0, frames)
                .map(i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(BytePattern.chunk((long) i * frameSize, frameSize))))))) {
            UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
            DefaultWebSocketClient client = new DefaultWebSocketClient(config(), tcp -> tcp.option(ChannelOption.ALLOCATOR, allocator));
            WebSocketConnection connection = client.open(server.uri(), Mode.STREAM).block(Duration.ofSeconds(10));

            PausingSubscriber subscriber = new PausingSubscriber(firstDemand);
            ((InboundFlow) connection.inbound()).subscribe(subscriber);
            assertTrue(subscriber.paused.await(30, TimeUnit.SECONDS), "the first buffers arrive");
            assertTrue(server.awaitUnwritable(30), "the server's channel becomes unwritable: the TCP window closed");

            long delivered = subscriber.checker.offset();
            long queued = connection.channel().eventLoop().submit(connection::inboundQueuedBytes).get();
            long nettyHeld = allocator.metric().usedDirectMemory() + allocator.metric().usedHeapMemory();
            long received = connection.bytesReceived();
            long bound = BUDGET + DefaultWebSocketClient.MAX_READ_BYTES + 139;
            System.out.printf("stalled: delivered=%d queued=%d nettyHeld=%d held=%d bound=%d received-not-delivered=%d%n",
                    delivered, queued, nettyHeld, queued + nettyHeld, bound, received - delivered);
            assertEquals(firstDemand, subscriber.count, "no buffer is delivered beyond demand");
            assertTrue(queued + nettyHeld <= bound, "held " + (queued + nettyHeld) + " bytes, bound " + bound);
            assertTrue(received - delivered <= bound, "read " + (received - delivered) + " bytes past demand, bound " + bound);

            subscriber.resume();
            assertTrue(subscriber.done.await(90, TimeUnit.SECONDS), "the rest arrives after resuming");
            assertNull(subscriber.error.get(), () -> "receive() failed: " + subscriber.error.get());
            assertEquals(total, subscriber.checker.offset(), "every byte exactly once, in order");
            connection.closeStatus().block(Duration.ofSeconds(10));
        }
    }

    private static ClientConfig config() {
        return new ClientConfig(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(5), true,
                Map.of(), List.of(), FRAME, BUDGET, 256 * 1024, 1 << 20, ReceiveMode.WHOLE);
    }

    /** Requests {@code first} buffers, then nothing until {@link #resume()}; checks the pattern. */
    private static final class PausingSubscriber extends BaseSubscriber<ByteBuffer> {

        final BytePattern.Checker checker = new BytePattern.Checker();
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final int first;
        /** Buffers delivered (written on the event loop, read after the pause latch). */
        volatile int count;

        PausingSubscriber(int first) {
            this.first = first;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(first);
        }

        @Override
        protected void hookOnNext(ByteBuffer buffer) {
            checker.accept(buffer);
            if (++count == first) {
                paused.countDown();
            }
        }

        void resume() {
            request(Long.MAX_VALUE);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            error.set(throwable);
            paused.countDown();
            done.countDown();
        }

        @Override
        protected void hookOnComplete() {
            done.countDown();
        }
    }

}
