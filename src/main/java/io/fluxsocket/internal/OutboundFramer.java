package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.util.concurrent.Queues;

/**
 * The outbound side of one connection: turns each message into frames, one message at a time,
 * within a byte budget, and writes the Close frame of a {@code close} after the message in flight.
 * A message is a stream-mode {@code send}'s publisher (binary), or one message of message mode:
 * whole (its payload in memory, written at once as frames of up to {@code maxFramePayload}) or
 * streamed (a publisher, framed like a {@code send}'s), text or binary.
 *
 * <p>Frame sizing: buffers are appended to a coalescing buffer that is written as a frame when it
 * reaches {@code maxFramePayload}, or, when nothing more is waiting, as soon as the socket is
 * writable; so small buffers that arrive while the socket is busy become one frame. Parts of a
 * buffer of a whole frame's size are written without a copy (the encoder copies them while
 * masking). The final frame carries FIN; if everything was already written, it is empty.
 *
 * <p>Budget: buffers are requested from the publisher only while the bytes taken and not yet
 * written to the socket ({@link #inFlight} plus the coalescing buffer) are under the budget, in
 * batches sized from the largest buffer seen; a whole message starts only while they are.
 *
 * <p>Streamed text is checked as UTF-8 before it is framed: invalid bytes never reach the wire.
 *
 * <p>Confined to the event loop, but for {@link #send} and the publisher's signals, which queue and
 * schedule {@link #drain()} there.
 */
final class OutboundFramer {

    /** Requests never ask the publisher for more than this many buffers at once. */
    private static final int MAX_BATCH = 256;

    private final WebSocketConnection owner;
    private final EventLoop eventLoop;
    private final int maxFramePayload;
    private final int budget;
    private final long sendTimeoutNanos;
    /** Runs {@link #drain()} for the publishers' signals. */
    private final ScheduledDrain scheduledDrain;

    /** The handler context writes go through; set when the owner is added to the pipeline. */
    private ChannelHandlerContext ctx;
    /** Messages and the close request waiting for the one in flight, in subscription order. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    /** The message whose frames are being written, or null. */
    private Message current;
    /** Bytes of {@link #current} not yet written as a frame (coalescing), or null. */
    private ByteBuf coalescing;
    /** Bytes written to the channel whose write has not completed yet. */
    private long inFlight;
    /** The largest buffer a publisher has emitted, to size requests; 0 until one was seen. */
    private int largestBuffer;
    /** When a write last completed, or when {@link #inFlight} last left zero. */
    private long lastProgressNanos;
    /** The send-timeout check, while armed. */
    private ScheduledFuture<?> timeoutCheck;
    /** Once set, the connection can send no more: every send fails with it. */
    private Throwable terminated;
    /** A drain is on the stack; {@link #again} makes it loop instead of re-entering. */
    private boolean draining;
    private boolean again;
    /** Something was written in this drain and must be flushed. */
    private boolean needsFlush;
    /** Payload bytes whose frames were written (live; single writer, the event loop). */
    private volatile long bytesSent;

    OutboundFramer(WebSocketConnection owner, EventLoop eventLoop, ClientConfig config) {
        this.owner = owner;
        this.eventLoop = eventLoop;
        this.maxFramePayload = config.maxFramePayload();
        this.budget = config.outboundBufferBytes();
        this.sendTimeoutNanos = config.sendTimeout().toNanos();
        this.scheduledDrain = new ScheduledDrain(eventLoop, this::drain);
    }

    void bind(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    long bytesSent() {
        return bytesSent;
    }

    /** Bytes taken from publishers and not yet written to the socket (what this framer holds). */
    long heldBytes() {
        return inFlight + (coalescing == null ? 0 : coalescing.readableBytes());
    }

    Mono<Void> send(Publisher<ByteBuffer> publisher) {
        return Mono.create(sink -> {
            Message m = new Message(false, null, publisher, new Outcome() {
                @Override
                public void written() {
                    sink.success();
                }

                @Override
                public void failed(Throwable error) {
                    sink.error(error);
                }
            });
            sink.onCancel(() -> EventLoops.run(eventLoop, () -> cancel(m)));
            EventLoops.run(eventLoop, () -> {
                if (terminated != null) {
                    m.outcome.failed(terminated);
                    return;
                }
                pending.add(m);
                drain();
            });
        });
    }

    /**
     * Queues one message of message mode behind those already queued, without writing yet: the
     * caller runs {@link #drain()} once it has queued what it had. Event loop only.
     *
     * @param outcome told when the message was written or failed, in the order messages were queued
     * @return the bytes the message holds in memory until it is written (0 for a streamed one)
     */
    long enqueue(WebSocketMessage message, Outcome outcome) {
        Message m = message.isStreamed()
                ? new Message(message.isText(), null, message.content(), outcome)
                : new Message(message.isText(), message.payload(), null, outcome);
        if (terminated != null) {
            outcome.failed(terminated);
            return 0;
        }
        pending.add(m);
        return m.whole == null ? 0 : m.whole.remaining();
    }

    /**
     * Removes the queued messages of {@code outcome} that have not started, without telling it;
     * with {@code cancelCurrent}, its message in flight is cancelled as a cancelled {@code send} is.
     * Event loop only.
     */
    void discard(Outcome outcome, boolean cancelCurrent) {
        pending.removeIf(o -> o instanceof Message && ((Message) o).outcome == outcome);
        if (cancelCurrent && current != null && current.outcome == outcome) {
            cancel(current);
        }
    }

    /** Queues the Close frame behind the messages already subscribed. Event loop only. */
    void enqueueClose(Runnable writeClose) {
        if (terminated != null) {
            return;
        }
        pending.add(writeClose);
        drain();
    }

    /** The socket became writable again: coalesced bytes can go, more can be requested. */
    void onWritable() {
        drain();
    }

    /**
     * The connection can send no more (closing, closed or failed): the message in flight and all
     * waiting ones fail with {@code cause}, and so will later sends. Event loop only.
     */
    void terminate(Throwable cause) {
        if (terminated != null) {
            return;
        }
        terminated = cause;
        cancelTimeoutCheck();
        Message m = current;
        current = null;
        releaseCoalescing();
        if (m != null) {
            m.cancelUpstream();
            m.outcome.failed(cause);
        }
        for (Object o; (o = pending.poll()) != null; ) {
            if (o instanceof Message) {
                ((Message) o).outcome.failed(cause);
            }
        }
    }

    private void cancel(Message m) {
        if (pending.remove(m)) {
            return;
        }
        if (m != current) {
            return;
        }
        m.cancelUpstream();
        current = null;
        releaseCoalescing();
        if (m.started) {
            // Its first frames are on the wire: no other message may follow an unfinished one.
            owner.failConnection(1011, "a send was cancelled in the middle of its message",
                    WebErrorStatus.CLOSED, null);
        } else {
            drain();
        }
    }

    void drain() {
        if (draining) {
            again = true;
            return;
        }
        if (ctx == null) {
            return;
        }
        draining = true;
        try {
            do {
                again = false;
                step();
            } while (again);
        } finally {
            draining = false;
        }
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    private void step() {
        while (terminated == null) {
            if (current == null) {
                Object next = pending.peek();
                if (next == null) {
                    return;
                }
                if (next instanceof Runnable) {
                    // The close request: its frame goes now, and nothing may follow it.
                    pending.poll();
                    ((Runnable) next).run();
                    return;
                }
                Message m = (Message) next;
                if (m.whole != null) {
                    if (heldBytes() >= budget) {
                        // Written when earlier frames are: the socket is not taking them fast enough.
                        return;
                    }
                    pending.poll();
                    writeWhole(m);
                    continue;
                }
                pending.poll();
                current = m;
                m.publisher.subscribe(m);
                continue;
            }
            Message m = current;
            // Read the terminal flags before the inbox: what was emitted before them is then visible.
            Throwable upstreamError = m.error;
            boolean upstreamDone = m.done;
            for (ByteBuffer b; (b = m.items.poll()) != null; ) {
                m.outstanding--;
                long bad = m.utf8 == null ? -1 : m.utf8.update(b);
                if (bad >= 0) {
                    upstreamError = notUtf8(bad);
                    m.cancelUpstream();
                    break;
                }
                append(m, b);
                if (terminated != null || current != m) {
                    return;
                }
            }
            if (upstreamError == null && upstreamDone && m.utf8 != null && !m.utf8.isComplete()) {
                upstreamError = notUtf8(m.utf8.offset());
            }
            if (upstreamError != null) {
                current = null;
                releaseCoalescing();
                m.outcome.failed(upstreamError);
                if (m.started) {
                    owner.failConnection(1011, "the content of a message failed in the middle of it",
                            WebErrorStatus.CLOSED, upstreamError);
                    return;
                }
                continue;
            }
            if (upstreamDone) {
                current = null;
                ByteBuf last = coalescing != null ? coalescing : Unpooled.EMPTY_BUFFER;
                coalescing = null;
                writeFrame(m, last, true);
                continue;
            }
            if (requestMore(m) && (!m.items.isEmpty() || m.done || m.error != null)) {
                // The publisher answered synchronously: coalesce what it gave before writing.
                continue;
            }
            if (coalescing != null && ctx.channel().isWritable()) {
                // Nothing more is at hand: what was coalesced goes now, while the socket can take it.
                ByteBuf part = coalescing;
                coalescing = null;
                writeFrame(m, part, false);
                if (requestMore(m) && !m.items.isEmpty()) {
                    continue;
                }
            }
            return;
        }
    }

    private static WebSocketException notUtf8(long offset) {
        return new WebSocketException(WebErrorStatus.INVALID_ARGUMENT,
                "message: the content of a streamed text message is not UTF-8 (at byte " + offset + ")");
    }

    /** Writes a whole message as frames of up to {@code maxFramePayload}, without copying it. */
    private void writeWhole(Message m) {
        ByteBuffer b = m.whole;
        int pos = b.position();
        int end = b.limit();
        while (end - pos > maxFramePayload) {
            writeFrame(m, Unpooled.wrappedBuffer(b.slice(pos, maxFramePayload)), false);
            pos += maxFramePayload;
        }
        writeFrame(m, pos == end ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(b.slice(pos, end - pos)), true);
    }

    private void append(Message m, ByteBuffer b) {
        int size = b.remaining();
        if (size > largestBuffer) {
            largestBuffer = size;
        }
        int pos = b.position();
        int end = b.limit();
        if (coalescing != null) {
            int take = Math.min(maxFramePayload - coalescing.readableBytes(), end - pos);
            coalescing.writeBytes(b.slice(pos, take));
            pos += take;
            if (coalescing.readableBytes() == maxFramePayload) {
                ByteBuf full = coalescing;
                coalescing = null;
                writeFrame(m, full, false);
            }
        }
        while (end - pos >= maxFramePayload) {
            writeFrame(m, Unpooled.wrappedBuffer(b.slice(pos, maxFramePayload)), false);
            pos += maxFramePayload;
        }
        if (pos < end) {
            coalescing = ctx.alloc().directBuffer(Math.min(maxFramePayload, Math.max(end - pos, 4096)),
                    maxFramePayload);
            coalescing.writeBytes(b.slice(pos, end - pos));
        }
    }

    /** Requests more buffers if none are outstanding and the budget has room; true if it did. */
    private boolean requestMore(Message m) {
        if (m.outstanding > 0 || m.upstream == null) {
            return false;
        }
        long room = budget - heldBytes();
        if (room <= 0) {
            return false;
        }
        // Until a buffer's size is known, one at a time: a first batch could overshoot the budget.
        int n = largestBuffer == 0 ? 1 : (int) Math.max(1, Math.min(MAX_BATCH, room / largestBuffer));
        m.outstanding = n;
        m.upstream.request(n);
        return true;
    }

    private void writeFrame(Message m, ByteBuf payload, boolean last) {
        WebSocketFrame frame = m.started ? new ContinuationWebSocketFrame(last, 0, payload)
                : m.text ? new TextWebSocketFrame(last, 0, payload)
                : new BinaryWebSocketFrame(last, 0, payload);
        m.started = true;
        int size = payload.readableBytes();
        if (inFlight == 0) {
            lastProgressNanos = System.nanoTime();
        }
        inFlight += size;
        armTimeoutCheck();
        ChannelPromise promise = ctx.newPromise();
        promise.addListener(f -> {
            inFlight -= size;
            lastProgressNanos = System.nanoTime();
            if (f.isSuccess()) {
                bytesSent += size;
                if (last) {
                    m.outcome.written();
                }
                drain();
            } else if (last) {
                m.outcome.failed(owner.sendFailure(f.cause()));
            } else {
                owner.onWriteFailure(f.cause());
            }
        });
        ctx.write(frame, promise);
        needsFlush = true;
    }

    private void armTimeoutCheck() {
        if (timeoutCheck == null) {
            timeoutCheck = eventLoop.schedule(this::checkTimeout, sendTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkTimeout() {
        timeoutCheck = null;
        if (inFlight == 0 || terminated != null) {
            return;
        }
        long idle = System.nanoTime() - lastProgressNanos;
        if (idle >= sendTimeoutNanos) {
            owner.failSendTimeout(new WebSocketException(WebErrorStatus.TIMEOUT, "no write progress for "
                    + TimeUnit.NANOSECONDS.toMillis(sendTimeoutNanos) + " ms (sendTimeout); "
                    + inFlight + " bytes were still waiting to be written"));
        } else {
            timeoutCheck = eventLoop.schedule(this::checkTimeout, sendTimeoutNanos - idle, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelTimeoutCheck() {
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
            timeoutCheck = null;
        }
    }

    private void releaseCoalescing() {
        if (coalescing != null) {
            coalescing.release();
            coalescing = null;
        }
    }

    /** How the end of a message is told: written to the socket, or failed. Called on the event loop. */
    interface Outcome {

        void written();

        void failed(Throwable error);
    }

    /**
     * One message: a whole payload, or a publisher whose subscriber this is, its signals queued
     * for the event loop.
     */
    private final class Message extends Inbox<ByteBuffer> {

        final boolean text;
        /** The payload of a whole message, else null. */
        final ByteBuffer whole;
        /** The content of a streamed message, else null. */
        final Publisher<ByteBuffer> publisher;
        final Outcome outcome;
        /** Checks streamed text as it is framed; null for binary and whole messages. */
        final Utf8Validator utf8;
        /** Requested and not yet taken from {@link #items} (event loop). */
        long outstanding;
        /** A frame of this message was written: it must be finished or the connection failed. */
        boolean started;

        Message(boolean text, ByteBuffer whole, Publisher<ByteBuffer> publisher, Outcome outcome) {
            super(publisher == null ? null : Queues.<ByteBuffer>unbounded(64).get(), "buffer");
            this.text = text;
            this.whole = whole;
            this.publisher = publisher;
            this.outcome = outcome;
            this.utf8 = publisher != null && text ? new Utf8Validator() : null;
        }

        @Override
        void signalled() {
            scheduledDrain.schedule();
        }
    }
}
