package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
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
 * <p>Small messages: a publisher that is a {@link Callable} ({@code Mono.just}, {@code Mono.empty},
 * {@code Mono.error}, {@code Mono.fromCallable}, {@code Flux.just(one)}, as Reactor's own operators
 * read them) is not subscribed: its value is taken when the message starts, and written as a whole
 * message is. Payloads of up to {@link #COPY_LIMIT} bytes are copied into a pooled buffer rather
 * than wrapped, which costs less than the wrapper objects. Every frame is written with one shared
 * promise, {@link FrameWrites}, and a {@code send} is its own subscription: no queue, sink,
 * promise or listener object is made for a one-buffer message.
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
    /** Payloads up to this size are copied into a pooled buffer instead of being wrapped. */
    static final int COPY_LIMIT = 2048;
    /** The payload of an empty message (never changed: payloads are read at absolute indexes). */
    private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);

    private final WebSocketConnection owner;
    private final EventLoop eventLoop;
    private final int maxFramePayload;
    private final int budget;
    private final long sendTimeoutNanos;
    /** Runs {@link #drain()} for the publishers' signals. */
    private final ScheduledDrain scheduledDrain;

    /** The handler context writes go through; set when the owner is added to the pipeline. */
    private ChannelHandlerContext ctx;
    /** The promise of every frame write, telling {@link #frameWritten} in turn; set with {@link #ctx}. */
    private FrameWrites frameWrites;
    /**
     * Stream-mode sends subscribed (any thread in, in subscription order) and not yet moved to
     * {@link #pending} by the event loop: a send subscribed on another thread keeps its place
     * ahead of one subscribed on the event loop later.
     */
    private final Queue<SendMessage> incoming = Queues.<SendMessage>unboundedMultiproducer().get();
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
    /**
     * A write completed, or {@link #inFlight} left zero, since the send-timeout check last looked:
     * the check then takes its own time as {@link #lastProgressNanos} (no clock read per write).
     */
    private boolean progressed;
    /** When the send-timeout check last saw progress. */
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
    /**
     * A write's completion is being told (inside the channel's flush): writes made now are flushed
     * by {@link #flushTask}, once for all of them, rather than one flush each.
     */
    private boolean completing;
    /** {@link #flushTask} is queued on the event loop and has not run yet. */
    private boolean flushScheduled;
    /** Flushes what was written while completions were told. */
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        ctx.flush();
    };
    /** Copies from buffers without an accessible array (read-only or direct); lazily made. */
    private byte[] scratch;
    /** Payload bytes whose frames were written (live; single writer, the event loop, through {@link #BYTES_SENT}). */
    private volatile long bytesSent;

    private static final VarHandle BYTES_SENT;

    static {
        try {
            BYTES_SENT = MethodHandles.lookup().findVarHandle(OutboundFramer.class, "bytesSent", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
        this.frameWrites = new FrameWrites(ctx.channel(), this::frameWritten);
    }

    long bytesSent() {
        return bytesSent;
    }

    /** Bytes taken from publishers and not yet written to the socket (what this framer holds). */
    long heldBytes() {
        return inFlight + (coalescing == null ? 0 : coalescing.readableBytes());
    }

    /**
     * One binary message made of the publisher's buffers, queued behind those already subscribed
     * when the returned {@link Mono} is subscribed (each subscription is one more message).
     */
    Mono<Void> send(Publisher<ByteBuffer> publisher) {
        return new Send(publisher);
    }

    /**
     * Queues one message of message mode behind those already queued, without writing yet: the
     * caller runs {@link #drain()} once it has queued what it had. Event loop only.
     *
     * @param outcome told when the message was written or failed, in the order messages were queued
     * @return the bytes the message holds in memory until it is written (0 for a streamed one)
     */
    long enqueue(WebSocketMessage message, Outcome outcome) {
        takeIncoming();
        Queued m = message.isStreamed()
                ? new Queued(message.isText(), null, message.content(), outcome)
                : new Queued(message.isText(), message.payload(), null, outcome);
        if (terminated != null) {
            outcome.failed(terminated);
            return 0;
        }
        pending.add(m);
        return m.heldBytes();
    }

    /**
     * Removes the queued messages of {@code outcome} that have not started, without telling it;
     * with {@code cancelCurrent}, its message in flight is cancelled as a cancelled {@code send} is.
     * Event loop only.
     */
    void discard(Outcome outcome, boolean cancelCurrent) {
        pending.removeIf(o -> o instanceof Queued && ((Queued) o).outcome == outcome);
        if (cancelCurrent && current instanceof Queued && ((Queued) current).outcome == outcome) {
            cancel(current);
        }
    }

    /** Queues the Close frame behind the messages already subscribed. Event loop only. */
    void enqueueClose(Runnable writeClose) {
        if (terminated != null) {
            return;
        }
        // Sends subscribed before close() go first.
        takeIncoming();
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
            m.cancelContent();
            m.failed(cause);
        }
        for (Object o; (o = pending.poll()) != null; ) {
            if (o instanceof Message) {
                ((Message) o).failed(cause);
            }
        }
        takeIncoming();
    }

    /**
     * Moves the sends subscribed since into {@link #pending}, in their order, but for cancelled
     * ones; once terminated, fails them instead. Event loop only.
     */
    private void takeIncoming() {
        for (SendMessage m; (m = incoming.poll()) != null; ) {
            if (terminated != null) {
                m.failed(terminated);
            } else if (!m.finished) {
                pending.add(m);
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
        m.cancelContent();
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
        takeIncoming();
        draining = true;
        try {
            do {
                again = false;
                step();
                if (!incoming.isEmpty()) {
                    takeIncoming();
                    again = true;
                }
            } while (again);
        } finally {
            draining = false;
        }
        if (needsFlush) {
            needsFlush = false;
            if (!completing) {
                ctx.flush();
            } else if (!flushScheduled) {
                // The channel is flushing: a flush now would only mark these writes, one drain at
                // a time; after the completions, one flush takes everything they led to.
                flushScheduled = true;
                eventLoop.execute(flushTask);
            }
        }
    }

    private void step() {
        while (terminated == null) {
            if (current == null) {
                Object next = pending.peek();
                if (next == null) {
                    return;
                }
                if (!(next instanceof Message)) {
                    // The close request: its frame goes now, and nothing may follow it.
                    pending.poll();
                    ((Runnable) next).run();
                    return;
                }
                Message m = (Message) next;
                if (m.whole != null || m.publisher instanceof Callable) {
                    if (heldBytes() >= budget) {
                        // Written when earlier frames are: the socket is not taking them fast enough.
                        return;
                    }
                    pending.poll();
                    if (m.whole != null || takeScalar(m)) {
                        writeWhole(m);
                    }
                    continue;
                }
                pending.poll();
                current = m;
                m.content = new Content(m);
                m.publisher.subscribe(m.content);
                continue;
            }
            Message m = current;
            Content c = m.content;
            // Read the terminal flags before the inbox: what was emitted before them is then visible.
            Throwable upstreamError = c.error;
            boolean upstreamDone = c.done;
            for (ByteBuffer b; (b = c.poll()) != null; ) {
                c.outstanding--;
                long bad = c.utf8 == null ? -1 : c.utf8.update(b);
                if (bad >= 0) {
                    upstreamError = notUtf8(bad);
                    c.cancelUpstream();
                    break;
                }
                append(m, b);
                if (terminated != null || current != m) {
                    return;
                }
            }
            if (upstreamError == null && upstreamDone && c.utf8 != null && !c.utf8.isComplete()) {
                upstreamError = notUtf8(c.utf8.offset());
            }
            if (upstreamError != null) {
                current = null;
                releaseCoalescing();
                m.failed(upstreamError);
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
            if (requestMore(c) && (c.hasItems() || c.done || c.error != null)) {
                // The publisher answered synchronously: coalesce what it gave before writing.
                continue;
            }
            if (coalescing != null && ctx.channel().isWritable()) {
                // Nothing more is at hand: what was coalesced goes now, while the socket can take it.
                ByteBuf part = coalescing;
                coalescing = null;
                writeFrame(m, part, false);
                if (requestMore(c) && c.hasItems()) {
                    continue;
                }
            }
            return;
        }
    }

    /**
     * Reads the value of a {@link Callable} publisher, its whole content, into {@code m.whole}
     * (empty for none); false if it failed or is not UTF-8 text, and then {@code m} was failed.
     */
    private boolean takeScalar(Message m) {
        ByteBuffer b;
        try {
            @SuppressWarnings("unchecked")
            Callable<ByteBuffer> scalar = (Callable<ByteBuffer>) m.publisher;
            b = scalar.call();
        } catch (Throwable e) {
            // Mono.error throws its error wrapped when it is checked; Reactor unwraps it so too.
            m.failed(Exceptions.unwrap(e));
            return false;
        }
        if (b == null) {
            // Mono.empty(), or a callable that returned null: an empty message.
            b = NO_BYTES;
        }
        if (m.text) {
            Utf8Validator utf8 = new Utf8Validator();
            long bad = utf8.update(b);
            if (bad >= 0 || !utf8.isComplete()) {
                m.failed(notUtf8(bad >= 0 ? bad : utf8.offset()));
                return false;
            }
        }
        m.whole = b;
        return true;
    }

    private static WebSocketException notUtf8(long offset) {
        return new WebSocketException(WebErrorStatus.INVALID_ARGUMENT,
                "message: the content of a streamed text message is not UTF-8 (at byte " + offset + ")");
    }

    /** Writes a whole message as frames of up to {@code maxFramePayload}. */
    private void writeWhole(Message m) {
        ByteBuffer b = m.whole;
        int pos = b.position();
        int end = b.limit();
        while (end - pos > maxFramePayload) {
            writeFrame(m, payload(b, pos, maxFramePayload), false);
            pos += maxFramePayload;
        }
        writeFrame(m, payload(b, pos, end - pos), true);
    }

    /**
     * A frame payload of {@code length} bytes of {@code b} from {@code pos}, which is left as it
     * is: small ones copied into a pooled buffer, larger ones wrapped (the encoder copies them while
     * masking, before the write's promise completes).
     */
    private ByteBuf payload(ByteBuffer b, int pos, int length) {
        if (length == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        if (length > COPY_LIMIT) {
            return Unpooled.wrappedBuffer(b.slice(pos, length));
        }
        ByteBuf copy = ctx.alloc().buffer(length);
        copyInto(copy, b, pos, length);
        return copy;
    }

    /** Appends {@code length} bytes of {@code b} from {@code pos} to {@code dst}, leaving {@code b} as it is. */
    private void copyInto(ByteBuf dst, ByteBuffer b, int pos, int length) {
        if (b.hasArray()) {
            dst.writeBytes(b.array(), b.arrayOffset() + pos, length);
        } else if (length <= COPY_LIMIT) {
            // Read-only or direct: through an array, without a view object per buffer.
            if (scratch == null) {
                scratch = new byte[COPY_LIMIT];
            }
            b.get(pos, scratch, 0, length);
            dst.writeBytes(scratch, 0, length);
        } else {
            dst.writeBytes(b.slice(pos, length));
        }
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
            copyInto(coalescing, b, pos, take);
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
            copyInto(coalescing, b, pos, end - pos);
        }
    }

    /** Requests more buffers if none are outstanding and the budget has room; true if it did. */
    private boolean requestMore(Content m) {
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
            progressed = true;
        }
        inFlight += size;
        armTimeoutCheck();
        // Its completion is told to frameWritten, with the message if this is its last frame.
        frameWrites.write(ctx, frame, size, last ? m : null);
        needsFlush = true;
    }

    /**
     * A frame's write completed ({@code cause} null if it succeeded); {@code tag} is its message if
     * it was the message's last frame.
     */
    private void frameWritten(Object tag, int size, Throwable cause) {
        Message m = (Message) tag;
        inFlight -= size;
        progressed = true;
        if (cause == null) {
            // Single writer: a release store is enough for the readers of bytesSent().
            BYTES_SENT.setRelease(this, bytesSent + size);
            boolean nested = completing;
            completing = true;
            try {
                if (m != null) {
                    m.written();
                }
                if (current != null || !pending.isEmpty()) {
                    drain();
                }
            } finally {
                completing = nested;
            }
        } else if (m != null) {
            m.failed(owner.sendFailure(cause));
        } else {
            owner.onWriteFailure(cause);
        }
    }

    private void armTimeoutCheck() {
        if (timeoutCheck == null) {
            timeoutCheck = eventLoop.schedule(this::checkTimeout, timeoutTick(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * How often the send-timeout check looks while writes are in flight: an eighth of the timeout,
     * so a stall is reported between 1 and 1.25 times the send timeout after the last progress.
     */
    private long timeoutTick() {
        return Math.max(1, sendTimeoutNanos / 8);
    }

    private void checkTimeout() {
        timeoutCheck = null;
        if (inFlight == 0 || terminated != null) {
            // Nothing waits to be written: armed again by the next write.
            return;
        }
        long now = System.nanoTime();
        if (progressed) {
            progressed = false;
            lastProgressNanos = now;
        }
        if (now - lastProgressNanos >= sendTimeoutNanos) {
            owner.failSendTimeout(new WebSocketException(WebErrorStatus.TIMEOUT, "no write progress for "
                    + TimeUnit.NANOSECONDS.toMillis(sendTimeoutNanos) + " ms (sendTimeout); "
                    + inFlight + " bytes were still waiting to be written"));
        } else {
            timeoutCheck = eventLoop.schedule(this::checkTimeout, timeoutTick(), TimeUnit.NANOSECONDS);
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

        /** @param heldBytes what {@link #enqueue} said the message held */
        void written(long heldBytes);

        void failed(Throwable error);
    }

    /**
     * One message waiting in {@link #pending} or being written: a whole payload, or a publisher
     * that is read ({@link Callable}) or subscribed ({@link Content}) when the message starts.
     */
    private abstract class Message {

        final boolean text;
        /** The content of a streamed message, else null. */
        final Publisher<ByteBuffer> publisher;
        /** The payload of a whole message, or the value of a {@link Callable} publisher once read; else null. */
        ByteBuffer whole;
        /** The subscriber of {@link #publisher}, once the message started and subscribed it (event loop). */
        Content content;
        /** A frame of this message was written: it must be finished or the connection failed. */
        boolean started;

        Message(boolean text, ByteBuffer whole, Publisher<ByteBuffer> publisher) {
            this.text = text;
            this.whole = whole;
            this.publisher = publisher;
        }

        /** Its last frame was written to the socket. Event loop. */
        abstract void written();

        /** It cannot be written, or its content failed. Event loop. */
        abstract void failed(Throwable error);

        final void cancelContent() {
            if (content != null) {
                content.cancelUpstream();
            }
        }
    }

    /** A message of message mode, whose end is told to the {@code send} it came from. */
    private final class Queued extends Message {

        final Outcome outcome;

        Queued(boolean text, ByteBuffer whole, Publisher<ByteBuffer> publisher, Outcome outcome) {
            super(text, whole, publisher);
            this.outcome = outcome;
        }

        /** The bytes it holds in memory until written (0 for a streamed one). */
        long heldBytes() {
            return publisher == null ? whole.remaining() : 0;
        }

        @Override
        void written() {
            outcome.written(heldBytes());
        }

        @Override
        void failed(Throwable error) {
            outcome.failed(error);
        }
    }

    /** The {@link Mono} of a stream-mode {@code send}: each subscription is one new message. */
    private final class Send extends Mono<Void> {

        private final Publisher<ByteBuffer> publisher;

        Send(Publisher<ByteBuffer> publisher) {
            this.publisher = publisher;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Void> actual) {
            SendMessage m = new SendMessage(publisher, actual);
            actual.onSubscribe(m);
            // After onSubscribe: no other signal may come before it.
            incoming.offer(m);
            scheduledDrain.schedule();
        }
    }

    /**
     * The message of one subscription to a {@link Send}, and that subscription: completes or
     * errors its subscriber when it was written or failed.
     */
    private final class SendMessage extends Message implements Subscription {

        private final CoreSubscriber<? super Void> actual;
        /** The subscriber cancelled, or was signalled: nothing more is signalled (event loop). */
        boolean finished;

        SendMessage(Publisher<ByteBuffer> publisher, CoreSubscriber<? super Void> actual) {
            super(false, null, publisher);
            this.actual = actual;
        }

        @Override
        public void request(long n) {
            // A Mono<Void>: nothing to request.
        }

        @Override
        public void cancel() {
            EventLoops.run(eventLoop, () -> {
                if (!finished) {
                    finished = true;
                    OutboundFramer.this.cancel(this);
                }
            });
        }

        @Override
        void written() {
            if (!finished) {
                finished = true;
                actual.onComplete();
            }
        }

        @Override
        void failed(Throwable error) {
            if (!finished) {
                finished = true;
                actual.onError(error);
            }
        }
    }

    /** The subscriber of a streamed message's publisher; its signals queued for the event loop. */
    private final class Content extends Inbox<ByteBuffer> {

        /** Checks streamed text as it is framed; null for binary. */
        final Utf8Validator utf8;
        /** Requested and not yet taken (event loop). */
        long outstanding;

        Content(Message message) {
            super(message.publisher instanceof Mono, 64, "buffer");
            this.utf8 = message.text ? new Utf8Validator() : null;
        }

        @Override
        void signalled() {
            scheduledDrain.schedule();
        }
    }
}
