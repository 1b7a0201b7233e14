package io.fluxsocket.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Writes the frames of one connection to its channel and tracks each write: the payload bytes
 * written and not yet completed ({@link #inFlight()}), the payload bytes written in all
 * ({@link #bytesSent()}), the send timeout, and the completion of each message's last frame.
 *
 * <p>Every frame is written with one shared promise ({@link FrameWrites}), which tells
 * {@link Completions} of each write's completion in order, with the frame's size and the message
 * it ends, if it does: no promise object per frame. A promise per frame cost 56 B and about a
 * fifth of the throughput of 1 KiB messages sent one per {@code send}, end to end (see
 * {@code WriteTrackingBenchmark} and the redesign's note); handlers may still add listeners to a
 * write's promise while the write passes through them.
 *
 * <p>Flushes are batched: {@link #flush()} after the writes of a drain; writes made while a
 * completion is being told (inside the channel's own flush, where a flush would only mark them)
 * are flushed once, after the completions, by a task queued through the connection's
 * {@link LoopSlice}. Confined to the event loop.
 */
final class FrameWriter implements FrameWrites.Listener {

    /** Told of each frame's completion. Event loop. */
    interface Completions {

        /**
         * A frame was written to the socket.
         *
         * @param last the message it ended, or null
         * @param size its payload bytes if it was a data frame, else 0
         */
        void written(OutboundMessage last, int size);

        /** A frame could not be written; as {@link #written}. */
        void failed(OutboundMessage last, int size, Throwable cause);
    }

    private final Channel channel;
    private final EventLoop eventLoop;
    /** Where the flush of writes made inside a completion is queued. */
    private final LoopSlice slice;
    private final Completions completions;
    private final SendTimeout sendTimeout;
    /** Counts the wire bytes and messages sent. */
    private final Traffic traffic;

    /** The context writes go through; set when the owner's handler is added. */
    private ChannelHandlerContext ctx;
    /** The promise of every frame write; set with {@link #ctx}. */
    private FrameWrites writes;
    /** Payload bytes of data frames written to the channel whose writes have not completed. */
    private long inFlight;
    /** Something was written and not flushed. */
    private boolean needsFlush;
    /** A completion is being told (inside the channel's flush): flush later, once. */
    private boolean completing;
    /** {@link #flushTask} is queued on the event loop. */
    private boolean flushScheduled;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        ctx.flush();
    };
    /** Payload bytes of data frames written (single writer, the event loop, through {@link #BYTES_SENT}). */
    private volatile long bytesSent;

    private static final VarHandle BYTES_SENT;

    static {
        try {
            BYTES_SENT = MethodHandles.lookup().findVarHandle(FrameWriter.class, "bytesSent", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    FrameWriter(Channel channel, ClientConfig config, Completions completions, OutboundOwner owner, Traffic traffic,
            LoopSlice slice) {
        this.channel = channel;
        this.slice = slice;
        this.traffic = traffic;
        this.eventLoop = channel.eventLoop();
        this.completions = completions;
        this.sendTimeout = new SendTimeout(eventLoop, config.sendTimeout().toNanos(), this, owner);
    }

    void bind(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writes = new FrameWrites(channel, this);
    }

    boolean isBound() {
        return ctx != null;
    }

    boolean isWritable() {
        return channel.isWritable();
    }

    long inFlight() {
        return inFlight;
    }

    /** Payload bytes of data frames written to the socket (any thread). */
    long bytesSent() {
        return bytesSent;
    }

    /**
     * Writes a frame, to be flushed by {@link #flush()}. Its bytes on the wire (header and payload
     * as written, compressed or not) count as sent now.
     *
     * @param size the payload bytes it carries for its message (before compression), which count
     *             as in flight and, once written, as sent; 0 for a control frame
     * @param last the message the frame ends, told to {@link Completions} with its completion
     */
    void write(Frame frame, int size, OutboundMessage last) {
        if (size > 0) {
            sendTimeout.writing(inFlight == 0);
            inFlight += size;
        }
        int length = frame.content().readableBytes();
        traffic.sent(WebSocketProtocol.clientHeaderBytes(length) + length);
        needsFlush = true;
        writes.write(ctx, frame, size, last);
    }

    /** Writes a frame at once, then closes TCP once it is written (or failed). */
    void writeAndClose(Frame frame) {
        int length = frame.content().readableBytes();
        traffic.sent(WebSocketProtocol.clientHeaderBytes(length) + length);
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    /** Flushes what was written, now or (inside a completion) once the completions are told. */
    void flush() {
        if (!needsFlush) {
            return;
        }
        needsFlush = false;
        if (!completing) {
            ctx.flush();
        } else if (!flushScheduled) {
            flushScheduled = true;
            slice.queue(flushTask);
        }
    }

    /** No more data frames will be written: the send timeout stops. */
    void stop() {
        sendTimeout.stop();
    }

    /** A frame's write completed; {@code tag} is the message it ended, or null. */
    @Override
    public void frameWritten(Object tag, int size, Throwable cause) {
        OutboundMessage last = (OutboundMessage) tag;
        inFlight -= size;
        sendTimeout.progressed();
        if (cause != null) {
            completions.failed(last, size, cause);
            return;
        }
        // Single writer: a release store is enough for the readers of bytesSent().
        BYTES_SENT.setRelease(this, bytesSent + size);
        if (last != null) {
            traffic.messageSent();
        }
        boolean nested = completing;
        completing = true;
        try {
            completions.written(last, size);
        } finally {
            completing = nested;
        }
    }
}
