package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
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
 * The byte budget is what stops socket reads, in every mode: a subscriber that stops requesting
 * while the server pushes (1 GiB in stream mode and as one streamed message) makes the library read
 * ahead up to its byte bound, in bytes of memory held as in bytes counted, then stop, and the
 * server's channel go unwritable; resuming then delivers every byte once, in order.
 */
@Tag("volume")
@Timeout(120)
class InboundBackpressureTest {

    private static final int FRAME = 64 * 1024;
    private static final long TOTAL = 1L << 30;
    private static final int BUDGET = 256 * 1024;

    @Test
    void slowSubscriberStopsSocketReadsWithinTheByteBoundAndResumesExactlyOnce() throws Exception {
        pushPauseResume(Mode.STREAM, TOTAL, FRAME, 64, false);
    }

    @Test
    void smallFramesPausedInTheMiddleOfASocketReadStayWithinTheBound() throws Exception {
        // 1 KiB frames: one socket read decodes into many frames, so some wait in the queue.
        pushPauseResume(Mode.STREAM, 64L << 20, 1024, 1000, false);
    }

    @Test
    void aOneGibibyteStreamedMessageWithASlowContentSubscriberStaysWithinTheStreamModeBound() throws Exception {
        // One message of 16,384 frames; its content is what reads the socket.
        pushPauseResume(Mode.STREAMED_MESSAGES, TOTAL, FRAME, 64, true);
    }

    @Test
    void wholeMessagesNotRequestedStopSocketReadsWithinTheirBound() throws Exception {
        pushPauseResume(Mode.WHOLE_MESSAGES, 256L << 20, FRAME, 64, false);
    }

    /**
     * The server pushes {@code total} bytes in frames of {@code frameSize} (each its own message, or
     * all one message); the subscriber takes {@code firstDemand} buffers (messages in whole mode)
     * and pauses; then the bytes held are measured, and it resumes.
     */
    private static void pushPauseResume(Mode mode, long total, int frameSize, int firstDemand, boolean oneMessage)
            throws Exception {
        int frames = (int) (total / frameSize);
        try (TestServer server = new TestServer((in, out) -> out.sendObject(Flux.range(0, frames)
                .map(i -> frame(i, frames, oneMessage, BytePattern.chunk((long) i * frameSize, frameSize)))))) {
            UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
            DefaultWebSocketClient client = new DefaultWebSocketClient(config(), tcp -> tcp.option(ChannelOption.ALLOCATOR, allocator));
            WebSocketConnection connection = client.open(server.uri(), null, mode).block(Duration.ofSeconds(10));

            PausingSubscriber subscriber = new PausingSubscriber(firstDemand);
            subscribe(mode, connection.inbound(), subscriber);
            assertTrue(subscriber.paused.await(30, TimeUnit.SECONDS), "the first buffers arrive");
            assertTrue(server.awaitUnwritable(30), "the server's channel becomes unwritable: the TCP window closed");

            long delivered = subscriber.checker.offset();
            long queued = connection.channel().eventLoop().submit(() -> connection.inbound().queuedBytes()).get();
            long nettyHeld = allocator.metric().usedDirectMemory() + allocator.metric().usedHeapMemory();
            long received = connection.info().bytesReceived();
            long bound = BUDGET + DefaultWebSocketClient.MAX_READ_BYTES + 139
                    + (mode == Mode.WHOLE_MESSAGES ? config().maxMessageSize() : 0);
            System.out.printf("%s stalled: delivered=%d queued=%d nettyHeld=%d held=%d bound=%d received-not-delivered=%d%n",
                    mode, delivered, queued, nettyHeld, queued + nettyHeld, bound, received - delivered);
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

    /** Frame {@code i} of {@code n}: a binary message of its own, or a fragment of one message. */
    private static WebSocketFrame frame(int i, int n, boolean oneMessage, ByteBuffer payload) {
        if (!oneMessage) {
            return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload));
        }
        boolean fin = i == n - 1;
        return i == 0 ? new BinaryWebSocketFrame(fin, 0, Unpooled.wrappedBuffer(payload))
                : new ContinuationWebSocketFrame(fin, 0, Unpooled.wrappedBuffer(payload));
    }

    /** Subscribes to the bytes of whatever the mode receives: bytes, whole payloads, or one message's content. */
    private static void subscribe(Mode mode, Inbound inbound, PausingSubscriber subscriber) {
        switch (mode) {
            case STREAM:
                ((InboundFlow) inbound).receive().subscribe(subscriber);
                break;
            case WHOLE_MESSAGES:
                ((WholeMessages) inbound).receive().map(WebSocketMessage::payload).subscribe(subscriber);
                break;
            default:
                // take(1) cancels receive() after the message: its content goes on regardless.
                ((StreamedMessages) inbound).receive().take(1).subscribe(m -> m.content().subscribe(subscriber));
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
