package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.nio.ByteBuffer;
import java.util.function.Function;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * The inbound side of one connection in stream mode: the bytes of received binary messages, queued
 * within a byte budget for the single subscriber of {@code receive()}, which requests them as
 * buffers. Text messages are refused with 1003.
 *
 * <p>A piece the subscriber waits for (it requested, and nothing is queued before it) is passed on
 * as a retained slice of the buffer it was read into, not a copy, and turned into what the
 * subscriber gets as it is delivered: a heap copy for {@code receive()}, or whatever the reader of
 * {@link #read} makes of a read-only view of it, with no copy at all; it is released once the
 * subscriber's {@code onNext} returned. A piece
 * that has to wait (read ahead of demand, or before anyone subscribed) is queued as a heap copy of
 * its bytes: a slice would keep its whole read buffer (up to 64 KiB) alive while it waits, so that
 * a queue of small remainders could hold far more memory than the bytes it counts. Whatever is
 * still queued when the flow ends is copied to the heap and released, so that no Netty buffer
 * outlives the connection, even for a subscriber that never comes back.
 *
 * <p>Bound on what it holds: the owner reads only while {@link #wantsRead()} is true, i.e. while
 * fewer than {@code budget} bytes are queued, and one socket read is at most 64 KiB, all of which
 * {@link FrameDecoder} passes on at once as payload pieces. So the queue stays under
 * {@code budget + 64 KiB}, in bytes of memory as in bytes counted; the decoder itself keeps at most
 * a partial header or control frame.
 */
final class InboundFlow extends QueuedInbound {

    /** Heap copies, which the subscriber owns. */
    private static final Function<Object, ?> COPY = queued -> queued instanceof ByteBuf piece ? heapCopy(piece) : queued;

    InboundFlow(EventLoop eventLoop, int budget, Runnable readCheck) {
        super(eventLoop, budget, readCheck);
    }

    /** A piece of a binary message arrived; it is retained, the caller releases its own reference. */
    @Override
    public void onData(Frame piece) {
        if (piece.first && piece.opcode == Opcode.TEXT) {
            throw new ProtocolViolation(CloseStatus.UNSUPPORTED_DATA,
                    "stream mode accepts binary messages only; the server sent a text message");
        }
        ByteBuf payload = piece.content();
        int n = payload.readableBytes();
        if (n == 0 || !accepting()) {
            // Nothing to deliver, or nobody will read it: the subscriber left, the flow ended, or
            // closing with nobody subscribed.
            return;
        }
        // In place for a subscriber that waits; a heap copy of exactly its bytes if it has to wait.
        enqueue(deliveredAtOnce() ? payload.retainedSlice() : heapCopy(payload), n);
    }

    /** The received bytes as heap copies: {@code receive()}. */
    Flux<ByteBuffer> receive() {
        return new Flux<ByteBuffer>() {
            @Override
            public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
                InboundFlow.this.subscribe(actual, COPY);
            }
        };
    }

    /**
     * The received bytes as {@code reader} reads them in place, on the event loop: a {@link Flux}
     * of its results, with the same one-subscriber rule and demand as {@code receive()}.
     */
    <T> Flux<T> read(Function<? super ByteBuffer, ? extends T> reader) {
        Function<Object, ?> inPlace = queued -> readInPlace(queued, reader);
        return new Flux<T>() {
            @Override
            public void subscribe(CoreSubscriber<? super T> actual) {
                InboundFlow.this.subscribe(actual, inPlace);
            }
        };
    }

    private static <T> T readInPlace(Object queued, Function<? super ByteBuffer, ? extends T> reader) {
        ByteBuffer bytes = queued instanceof ByteBuf piece ? piece.nioBuffer() : (ByteBuffer) queued;
        return reader.apply(bytes.asReadOnlyBuffer());
    }

    @Override
    void release(Object queued) {
        if (queued instanceof ByteBuf piece) {
            piece.release();
        }
    }

    /** No Netty buffer stays queued once the connection is over: what is left becomes heap copies. */
    @Override
    void onTerminate() {
        replaceQueued(queued -> queued instanceof ByteBuf piece ? copy(piece) : queued);
    }

    /** A heap copy of {@code piece}'s readable bytes, which it then releases. */
    private static ByteBuffer copy(ByteBuf piece) {
        try {
            return heapCopy(piece);
        } finally {
            piece.release();
        }
    }

    /** A heap copy of {@code bytes}' readable bytes; {@code bytes} is left as it is. */
    private static ByteBuffer heapCopy(ByteBuf bytes) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.readableBytes());
        bytes.getBytes(bytes.readerIndex(), copy);
        return copy.flip();
    }
}
