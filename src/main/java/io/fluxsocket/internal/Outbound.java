package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import reactor.util.concurrent.Queues;

/**
 * The outbound side of one connection: every frame the client writes goes through here. Data
 * messages of both modes wait in one queue and go out one at a time, cut into frames by one
 * {@link Framer}, within one byte budget; control frames go between data frames, ahead of them.
 *
 * <h2>Messages</h2>
 * A stream-mode {@code send} is one binary message whose buffers a publisher gives
 * ({@link StreamSend}); a message-mode {@code send} gives whole or streamed messages
 * ({@link MessageSend}, one of the {@linkplain #register sources} that messages are taken from).
 * Either way a message is an {@link OutboundMessage} in {@link #queue}, in the order queued; the
 * head one is framed, and its publisher subscribed only then. A message is told it was written when
 * its last frame's write completed.
 *
 * <h2>Budget</h2>
 * {@link OutboundBudget} counts the bytes taken from publishers and not yet written to the socket
 * (items not yet framed, whole messages queued, the framer's, frames whose writes have not
 * completed). A publisher is asked for one item at a time ({@link Pull}), from its own thread as
 * soon as an item arrived, and only while the budget has room; this side asks again once writes
 * made room ({@link #resumePulls}). So the bytes held stay under {@code outboundBufferBytes} plus
 * one item for each publisher being taken from: the streamed message being framed, and each
 * message-mode send. Data frames are written only while the channel is writable (its high-water
 * mark is the budget).
 *
 * <h2>Control frames and the Close</h2>
 * A Pong goes ahead of the next data frame, as soon as the channel is writable; only the newest
 * waits while it is not. The Close of {@code close()} is queued behind the messages queued at the
 * time ({@link #close}); later messages are refused. A failing connection writes its Close at once
 * ({@link #closeNow}) after {@link #terminate}, which fails every message not yet written.
 *
 * <h2>Writes</h2>
 * {@link FrameWriter} writes the frames with one shared promise and tells this side of each frame's
 * completion, and when a message's last frame was written; it batches flushes and runs the
 * send-timeout watchdog.
 *
 * <p>Confined to the event loop, but for {@link #submit} and the publishers' signals, which
 * schedule {@link #drain()} there.
 */
final class Outbound implements FrameWriter.Completions {

    /** Why the connection fails when a message's content fails after its first frame went out. */
    private static final String CONTENT_FAILED = "the content of a message failed in the middle of it";

    private final OutboundOwner owner;
    /** The bytes taken and not yet written, against {@code outboundBufferBytes}. */
    private final OutboundBudget budget;
    private final Framer framer;
    /** Writes frames and tracks their completion. */
    private final FrameWriter writer;
    /** Runs {@link #drain()} for signals from any thread. */
    private final ScheduledDrain scheduledDrain;
    /** How long the outbound path may keep the event loop from its sockets (shared with the writer). */
    private final LoopSlice slice;
    /** Compresses data frames (permessage-deflate); null when it was not agreed. */
    private final Deflation deflation;

    /** Stream-mode sends subscribed (any thread in, in subscription order), not yet in {@link #queue}. */
    private final Queue<OutboundMessage> incoming = Queues.<OutboundMessage>unboundedMultiproducer().get();
    // The rest is event loop only.
    /** Messages waiting for the one being written, oldest first. */
    private final ArrayDeque<OutboundMessage> queue = new ArrayDeque<>();
    /** Message-mode sends taking messages from their publishers; null until the first (stream mode has none). */
    private List<MessageSend> sources;
    /** The message being framed, or null. */
    private OutboundMessage current;
    /** Control frames to write ahead of the next data frame once the channel is writable; null until the first. */
    private ControlFrames control;
    /** The Close frame of {@code close()}, waiting for the messages queued before it; or null. */
    private Frame queuedClose;
    /** Once set, nothing more is sent: every message fails with it. */
    private WebSocketException terminated;
    /** A drain is on the stack; {@link #again} makes it loop instead of re-entering. */
    private boolean draining;
    private boolean again;

    Outbound(OutboundOwner owner, Channel channel, ClientConfig config, Traffic traffic) {
        this(owner, channel, config, traffic, null);
    }

    /** @param deflate the permessage-deflate agreed, or null for none */
    Outbound(OutboundOwner owner, Channel channel, ClientConfig config, Traffic traffic, DeflateParameters deflate) {
        this.owner = owner;
        this.deflation = deflate == null ? null : new Deflation(channel.alloc(), deflate);
        this.budget = new OutboundBudget(config.outboundBufferBytes());
        this.framer = new Framer(channel.alloc(), config.maxFramePayload());
        this.slice = new LoopSlice(channel.eventLoop());
        this.writer = new FrameWriter(channel, config, this, owner, traffic, slice);
        this.scheduledDrain = new ScheduledDrain(channel.eventLoop(), slice, this::drain);
    }

    /** Writes go through {@code ctx} from now on. Event loop. */
    void bind(ChannelHandlerContext ctx) {
        writer.bind(ctx);
    }

    long bytesSent() {
        return writer.bytesSent();
    }

    /** Bytes taken from publishers and not yet written to the socket or dropped. */
    long held() {
        return budget.held();
    }

    OutboundBudget budget() {
        return budget;
    }

    /** Schedules a drain from any thread (the publishers' signals). */
    void schedule() {
        scheduledDrain.schedule();
    }

    // ---- messages ----

    /** Queues a stream-mode send's message from any thread, keeping the order of subscription. */
    void submit(OutboundMessage message) {
        incoming.offer(message);
        scheduledDrain.schedule();
    }

    /**
     * Queues a message behind those queued, or fails it at once if the connection can send no
     * more or is closing. Event loop.
     *
     * @return whether it was queued
     */
    boolean enqueue(OutboundMessage message) {
        if (terminated != null) {
            message.end(terminated);
            return false;
        }
        if (queuedClose != null) {
            message.end(closing());
            return false;
        }
        queue.add(message);
        budget.queued(message.queuedBytes());
        return true;
    }

    /** Starts taking messages from a message-mode send. Event loop. */
    void register(MessageSend source) {
        if (terminated != null) {
            source.terminate(terminated);
        } else if (queuedClose != null) {
            source.terminate(closing());
        } else {
            if (sources == null) {
                sources = new ArrayList<>(2);
            }
            sources.add(source);
            drain();
        }
    }

    /**
     * Takes a message back: one not started is removed without being told; the one being
     * written is dropped, which fails the connection if a frame of it was written. Event loop.
     */
    void cancel(OutboundMessage message) {
        takeIncoming();
        if (queue.remove(message)) {
            dropQueued(message);
            // Its bytes or its count went back to the budget: others may go on.
            drain();
        } else if (message == current) {
            abort(message, new WebSocketException(WebErrorStatus.CLOSED, "the send was cancelled"),
                    "a send was cancelled in the middle of its message");
            drain();
        }
    }

    /** Removes the messages of {@code source} that have not started, without telling them. Event loop. */
    void discard(MessageSend source) {
        queue.removeIf(m -> {
            if (m instanceof MessageSend.Queued q && q.send == source) {
                dropQueued(m);
                return true;
            }
            return false;
        });
        // What they held went back to the budget: others may go on.
        drain();
    }

    /** The message of {@code source} being written, if one is. Event loop. */
    OutboundMessage currentOf(MessageSend source) {
        return current instanceof MessageSend.Queued q && q.send == source ? current : null;
    }

    // ---- control frames ----

    /** Answers a Ping: ahead of the next data frame; while unwritable only the newest waits. Event loop. */
    void pong(ByteBuf payload) {
        if (terminated != null) {
            payload.release();
            return;
        }
        control().pong(payload);
        drain();
    }

    /** An empty unsolicited Pong (a heartbeat) ahead of the next data frame, unless a Pong waits. Event loop. */
    void unsolicitedPong() {
        if (terminated == null && queuedClose == null && control().unsolicitedPong()) {
            drain();
        }
    }

    /** Sends a Ping ahead of the next data frame. Event loop. */
    void ping(ByteBuf payload) {
        if (terminated != null) {
            payload.release();
            return;
        }
        control().ping(payload);
        drain();
    }

    private ControlFrames control() {
        if (control == null) {
            control = new ControlFrames();
        }
        return control;
    }

    /**
     * Queues {@code close()}'s Close frame behind the messages queued now (stream-mode sends
     * subscribed before it included); messages after it are refused. Event loop.
     */
    void close(Frame close) {
        takeIncoming();
        if (terminated != null || queuedClose != null) {
            close.release();
            return;
        }
        queuedClose = close;
        // Message-mode sends take no more messages: those they took go first.
        if (sources != null) {
            for (MessageSend s : sources) {
                s.stop(closing());
            }
            sources.clear();
        }
        drain();
    }

    /** Writes a Close frame at once, behind what the channel holds, then closes TCP. Event loop. */
    void closeNow(Frame close) {
        writer.writeAndClose(close);
    }

    /**
     * No more data may be sent (closing, closed or failed): the message being written and all
     * waiting ones fail with {@code cause}, and so will later ones. Event loop.
     */
    void terminate(WebSocketException cause) {
        if (terminated != null) {
            return;
        }
        terminated = cause;
        writer.stop();
        if (deflation != null) {
            deflation.release();
        }
        if (control != null) {
            control.clear();
        }
        if (queuedClose != null) {
            queuedClose.release();
            queuedClose = null;
        }
        OutboundMessage m = current;
        current = null;
        resetFramer();
        if (m != null) {
            m.cancelContent();
            ended(m, cause);
        }
        for (OutboundMessage q; (q = queue.poll()) != null; ) {
            dropQueued(q);
            q.end(cause);
        }
        if (sources != null) {
            List<MessageSend> left = new ArrayList<>(sources);
            sources.clear();
            for (MessageSend s : left) {
                s.terminate(cause);
            }
        }
        takeIncoming();
    }

    /**
     * The channel became writable: waiting frames can go, more can be taken, at once while the
     * {@link LoopSlice} has time, else in a drain queued through it. This is told inside the
     * channel's flush (as a write leaves its buffer), where a drain's writes keep Netty's own
     * flush task running, queued again and again: without the slice the event loop would not poll
     * its sockets for as long as the send goes on. Event loop.
     */
    void onWritable() {
        if (slice.hasTime()) {
            drain();
        } else {
            scheduledDrain.later();
        }
    }

    // ---- the drain ----

    void drain() {
        if (draining) {
            again = true;
            return;
        }
        if (!writer.isBound()) {
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
        writer.flush();
    }

    private void step() {
        takeIncoming();
        resumePulls();
        while (terminated == null) {
            for (Frame f; control != null && writer.isWritable() && (f = control.poll()) != null; ) {
                write(f, null, null);
            }
            takeMessages();
            if (current == null && !startNext()) {
                if (queuedClose != null && queue.isEmpty()) {
                    writeQueuedClose();
                }
                return;
            }
            if (current != null && !frameCurrent()) {
                return;
            }
        }
    }

    private void takeIncoming() {
        for (OutboundMessage m; (m = incoming.poll()) != null; ) {
            enqueue(m);
        }
    }

    /** Asks publishers that stopped for lack of room for their next item, if there is room now. */
    private void resumePulls() {
        if (current != null && current.pull != null) {
            current.pull.request();
        }
        if (sources != null) {
            for (MessageSend s : sources) {
                s.resume();
            }
        }
    }

    private void takeMessages() {
        for (int i = 0; sources != null && i < sources.size() && terminated == null; ) {
            MessageSend s = sources.get(i);
            if (s.take()) {
                i++;
            } else {
                // By identity, not index: take() may have signalled its subscriber, whose close()
                // (on this thread) stopped every source and cleared the list.
                sources.remove(s);
            }
        }
    }

    /** Starts the next queued message; false if there is none, or it must wait for room. */
    private boolean startNext() {
        OutboundMessage m = queue.peek();
        if (m == null || (m.payload == null && m.content instanceof Callable && !budget.roomAhead())) {
            // Reading a Callable's value takes its bytes: only with room for them.
            return false;
        }
        queue.poll();
        budget.queued(-m.queuedBytes());
        if (m.payload == null && m.content instanceof Callable) {
            if (!m.readScalar()) {
                m.leave(budget);
                return true;
            }
            budget.charge(m.payload.remaining());
        }
        current = m;
        framer.begin(m.type);
        if (m.payload != null) {
            framer.add(m.payload);
            framer.end();
        } else {
            m.utf8 = m.type == Opcode.TEXT ? new Utf8Validator() : null;
            m.pull = new Pull<>(budget, scheduledDrain::schedule, "buffer");
            m.content.subscribe(m.pull);
        }
        return true;
    }

    /**
     * Frames the current message while frames can be written: takes its publisher's buffers
     * (asking for the next while there is room), and writes what the framer yields, a partial
     * frame when nothing more is at hand. True when the message ended; false to wait for its
     * publisher or for writability.
     */
    private boolean frameCurrent() {
        OutboundMessage m = current;
        Pull<ByteBuffer, ByteBuffer> pull = m.pull;
        while (true) {
            if (pull != null && framer.needsInput()) {
                // The end first: a buffer given before it is then visible.
                boolean done = pull.isDone();
                Throwable error = pull.error();
                ByteBuffer b = pull.poll();
                if (b != null) {
                    long bad = m.utf8 == null ? -1 : m.utf8.update(b);
                    if (bad >= 0) {
                        return abort(m, OutboundMessage.notUtf8(bad), CONTENT_FAILED);
                    }
                    framer.add(b);
                } else if (error != null) {
                    return abort(m, error, CONTENT_FAILED);
                } else if (done) {
                    if (m.utf8 != null && !m.utf8.isComplete()) {
                        return abort(m, OutboundMessage.notUtf8(m.utf8.offset()), CONTENT_FAILED);
                    }
                    framer.end();
                } else if (pull.request()) {
                    // Asked again after a lack of room: a synchronous publisher answers at once.
                    continue;
                }
            }
            if (!writer.isWritable()) {
                return false;
            }
            Frame f = framer.next(false);
            if (f == null) {
                if (pull != null && framer.needsInput() && pull.hasSignal()) {
                    // More is at hand: coalesce it before writing a partial frame.
                    continue;
                }
                f = framer.next(true);
                if (f == null) {
                    return false;
                }
            }
            if (f.fin) {
                current = null;
            }
            write(f, m, f.fin ? m : null);
            if (f.fin || current != m) {
                return true;
            }
        }
    }

    /** Drops the message being written with {@code error}; if a frame of it went out, the connection fails. */
    private boolean abort(OutboundMessage m, Throwable error, String reason) {
        current = null;
        resetFramer();
        m.cancelContent();
        ended(m, error);
        if (m.started) {
            owner.messageAborted(reason, error);
        }
        return true;
    }

    private void writeQueuedClose() {
        Frame close = queuedClose;
        queuedClose = null;
        terminate(closing());
        write(close, null, null);
        owner.closeSent();
    }

    /** Writes a frame; {@code of} is the data message it belongs to, {@code last} set if it ends it. */
    private void write(Frame frame, OutboundMessage of, OutboundMessage last) {
        if (of != null) {
            of.started = true;
        }
        int size = of != null ? frame.content().readableBytes() : 0;
        writer.write(deflation != null && of != null ? deflation.apply(frame) : frame, size, last);
    }

    // ---- write completions (FrameWriter) ----

    @Override
    public void written(OutboundMessage last, int size) {
        budget.release(size);
        if (last != null) {
            ended(last, null);
            if (sources != null && !sources.isEmpty() && !draining) {
                // Now, not in the drain queued below: a send whose publisher has nothing more
                // (a fused one says so only when polled, once the message made room) completes
                // before the server's Close, sent once it has the message, can be read and fail it.
                takeMessages();
            }
        }
        if (current != null || !queue.isEmpty() || (sources != null && !sources.isEmpty()) || queuedClose != null) {
            // Once after the completions of a flush, not once per frame: one write to the socket
            // completes many small frames, and what they made room for is taken in one go.
            scheduledDrain.later();
        }
    }

    @Override
    public void failed(OutboundMessage last, int size, Throwable cause) {
        budget.release(size);
        WebSocketException error = owner.writeFailed(cause);
        if (last != null) {
            ended(last, error);
        }
    }

    /** A message ended: its sender is told, and the budget's count of it ends. */
    private void ended(OutboundMessage m, Throwable error) {
        m.leave(budget);
        m.end(error);
    }

    /** A whole message leaves the queue without being written: its bytes go back to the budget. */
    private void dropQueued(OutboundMessage m) {
        budget.queued(-m.queuedBytes());
        budget.release(m.queuedBytes());
        m.leave(budget);
    }

    /** The framer drops the message it holds: its bytes go back to the budget. */
    private void resetFramer() {
        budget.release(framer.held());
        framer.reset();
    }

    private WebSocketException closing() {
        return new WebSocketException(WebErrorStatus.CLOSED, "the connection is closing");
    }
}
