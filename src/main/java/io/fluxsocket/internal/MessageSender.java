package io.fluxsocket.internal;

import io.fluxsocket.WebSocketMessage;
import io.netty.channel.EventLoop;

import org.reactivestreams.Subscription;
import reactor.core.publisher.MonoSink;

/**
 * One {@code send} of message mode: subscribes its publisher of messages and queues each message
 * on the {@link OutboundFramer} as it arrives, so that the messages of concurrent sends interleave
 * only at message boundaries. Takes messages as they are written: at most {@link #WINDOW} queued
 * or requested, and whole ones only while the bytes they hold are under the outbound budget.
 * Completes its sink when the publisher completed and every message was written; errors it with
 * the first failure, and then drops its messages that have not started (a message part-way written
 * is finished, unless the send was cancelled).
 *
 * <p>The publisher's signals queue for the event loop; everything else runs there.
 */
final class MessageSender extends Inbox<WebSocketMessage> implements OutboundFramer.Outcome {

    /**
     * Messages requested or queued on the framer and not written yet, at most: enough that a
     * flush carries many small messages (64 made 64-byte messages 3x slower than Reactor Netty).
     */
    static final int WINDOW = 256;

    private final OutboundFramer framer;
    private final EventLoop eventLoop;
    private final long budget;
    private final MonoSink<Void> sink;
    /** Runs {@link #drain()} for the publisher's signals. */
    private final ScheduledDrain scheduledDrain;

    // Event loop only.
    /** Requested and not yet taken from the inbox. */
    private long requested;
    /** Messages queued on the framer and not yet written. */
    private int queued;
    /** The whole bytes those messages hold. */
    private long queuedBytes;
    /** The sink was completed or errored, or the send was cancelled: nothing more happens. */
    private boolean finished;
    /** A drain is on the stack (a synchronous publisher re-enters it); {@link #again} makes it loop. */
    private boolean draining;
    private boolean again;

    MessageSender(OutboundFramer framer, EventLoop eventLoop, long budget, MonoSink<Void> sink) {
        super(false, WINDOW, "message");
        this.framer = framer;
        this.eventLoop = eventLoop;
        this.budget = budget;
        this.sink = sink;
        this.scheduledDrain = new ScheduledDrain(eventLoop, this::drain);
    }

    /** The send's subscriber cancelled: its messages not started are dropped. */
    void cancel() {
        EventLoops.run(eventLoop, () -> {
            if (!finished) {
                finished = true;
                stop(true);
            }
        });
    }

    @Override
    void signalled() {
        scheduledDrain.schedule();
    }

    // ---- the framer's outcomes (event loop), in the order the messages were queued ----

    @Override
    public void written(long heldBytes) {
        queued--;
        queuedBytes -= heldBytes;
        if (done || error != null || requested + queued <= WINDOW / 2 || finished) {
            // Otherwise nothing can move: no more is requested until half the window is free.
            drain();
        }
    }

    @Override
    public void failed(Throwable error) {
        queued--;
        if (!finished) {
            finished = true;
            // A message part-way written is left to finish: cutting it would fail the connection.
            stop(false);
            sink.error(error);
        }
    }

    // ---- event loop ----

    private void drain() {
        if (draining) {
            again = true;
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
    }

    private void step() {
        if (finished) {
            clearItems();
            return;
        }
        // Read the terminal flags before the inbox: what was emitted before them is then visible.
        Throwable error = this.error;
        boolean done = this.done;
        boolean added = false;
        for (WebSocketMessage m; (m = poll()) != null; ) {
            requested--;
            // Counted before the framer can answer (it fails it at once when it can send no more).
            queued++;
            long bytes = framer.enqueue(m, this);
            if (finished) {
                // The framer refused it: the connection can send no more.
                return;
            }
            queuedBytes += bytes;
            added = true;
        }
        if (added) {
            framer.drain();
            if (finished) {
                return;
            }
        }
        if (error != null) {
            failed(error);
            return;
        }
        if (done) {
            if (queued == 0) {
                finished = true;
                sink.success();
            }
            return;
        }
        requestMore();
    }

    /** Requests up to the window once half of it is free, while the whole bytes held fit the budget. */
    private void requestMore() {
        Subscription s = upstream;
        long taken = requested + queued;
        if (s == null || taken > WINDOW / 2 || queuedBytes >= budget) {
            return;
        }
        long n = WINDOW - taken;
        requested += n;
        s.request(n);
    }

    /**
     * Cancels the publisher and drops this send's messages that have not started, and with
     * {@code cancelCurrent} its message in flight too.
     */
    private void stop(boolean cancelCurrent) {
        cancelUpstream();
        framer.discard(this, cancelCurrent);
    }
}
