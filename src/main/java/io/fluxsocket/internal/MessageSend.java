package io.fluxsocket.internal;

import io.fluxsocket.WebSocketMessage;
import io.netty.channel.EventLoop;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * One {@code send} of message mode, as its {@link Mono}'s subscription: it takes the publisher's
 * messages one at a time, while the outbound budget has room for messages
 * ({@link OutboundBudget#roomForMessages()}), and queues each as an {@link OutboundMessage}; so the
 * messages of concurrent sends interleave only at message boundaries, each send's in order. It completes when the publisher completed and every message
 * it gave was written; when the publisher fails, or the connection starts closing, the messages
 * taken are still written and the send then errors (with the publisher's error, or
 * {@code CLOSED}). When one of its messages fails (its content failed, or the connection ended), it
 * errors at once and takes no more: its messages not started are dropped, one part-way written is
 * finished (unless the send was cancelled, which drops it too).
 *
 * <p>Messages arrive on the publisher's thread, where each is made into a {@link Queued} and
 * charged to the budget ({@link Pull}); the outbound's drain moves them into its queue
 * ({@link #take}) on the event loop, where everything else runs too.
 */
final class MessageSend implements Subscription, Pull.Taker<WebSocketMessage, MessageSend.Queued> {

    private final Outbound outbound;
    private final EventLoop eventLoop;
    private final CoreSubscriber<? super Void> actual;
    /** The subscriber of the publisher of messages. */
    private final Pull<WebSocketMessage, Queued> pull;
    private final OutboundBudget budget;

    // Event loop only.
    /** Messages queued and not yet written or failed. */
    private int unwritten;
    /** Why no more messages are taken though the publisher did not end: the connection is closing. */
    private Throwable stopped;
    /** The subscriber was signalled, or cancelled: nothing more happens. */
    private boolean finished;
    /** The subscriber cancelled (any thread): checked before signalling, so that none follows a cancel. */
    private volatile boolean cancelled;

    private MessageSend(Outbound outbound, EventLoop eventLoop, CoreSubscriber<? super Void> actual) {
        this.outbound = outbound;
        this.eventLoop = eventLoop;
        this.actual = actual;
        this.budget = outbound.budget();
        this.pull = new Pull<>(this, outbound::schedule, "message");
    }

    /** The {@link Mono} of a send of {@code messages}: each subscription one more send. */
    static Mono<Void> of(Outbound outbound, EventLoop eventLoop, Publisher<WebSocketMessage> messages) {
        return new Mono<Void>() {
            @Override
            public void subscribe(CoreSubscriber<? super Void> actual) {
                MessageSend send = new MessageSend(outbound, eventLoop, actual);
                actual.onSubscribe(send);
                EventLoops.run(eventLoop, () -> outbound.register(send));
                messages.subscribe(send.pull);
            }
        };
    }

    @Override
    public void request(long n) {
        // A Mono<Void>: nothing to request.
    }

    /** The subscriber cancelled: its messages not started are dropped, the one in flight too. */
    @Override
    public void cancel() {
        cancelled = true;
        EventLoops.run(eventLoop, () -> {
            if (finished) {
                return;
            }
            finished = true;
            pull.cancel();
            outbound.discard(this);
            OutboundMessage current = outbound.currentOf(this);
            if (current != null) {
                outbound.cancel(current);
            }
        });
    }

    // ---- the publisher's messages (its thread) ----

    @Override
    public Queued take(WebSocketMessage message) {
        Queued q = new Queued(this, message);
        if (q.gatesMessages()) {
            budget.contentTaken();
        } else {
            budget.charge(q.queuedBytes());
        }
        return q;
    }

    @Override
    public void release(Queued q) {
        if (q.gatesMessages()) {
            budget.contentEnded();
        } else {
            budget.release(q.queuedBytes());
        }
    }

    @Override
    public boolean mayRequest() {
        return budget.roomForMessages();
    }

    // ---- the outbound's drain (event loop) ----

    /**
     * Moves the messages the publisher gave into the outbound queue. Called by the outbound's drain.
     *
     * @return false once this send takes no more: it ended, or failed
     */
    boolean take() {
        while (!finished) {
            // The end first: a message given before it is then visible.
            boolean done = pull.isDone();
            Throwable error = pull.error();
            Queued q = pull.poll();
            if (q != null) {
                unwritten++;
                if (!outbound.enqueue(q)) {
                    // Refused, and failed: this send has ended.
                    return false;
                }
            } else if (error != null || done) {
                // The publisher ended: what it gave goes out first.
                endIfWritten();
                return false;
            } else {
                return true;
            }
        }
        return false;
    }

    /** Asks for the next message if the publisher stopped for lack of room and there is room now. */
    void resume() {
        pull.request();
    }

    /** The connection can send no more: the publisher is cancelled and the send fails at once. */
    void terminate(Throwable cause) {
        if (!finished) {
            fail(cause);
        }
    }

    /**
     * The connection is closing: no more messages are taken (the publisher is cancelled); those
     * taken go out before the Close, and then the send fails with {@code cause}.
     */
    void stop(Throwable cause) {
        if (finished || stopped != null) {
            return;
        }
        stopped = cause;
        pull.cancel();
        endIfWritten();
    }

    private void fail(Throwable error) {
        finished = true;
        pull.cancel();
        // A message part-way written is left to finish: cutting it would fail the connection.
        outbound.discard(this);
        if (!cancelled) {
            actual.onError(error);
        }
    }

    /** Once the publisher ended (or the send stopped) and all it gave was written: its end, told to the subscriber. */
    private void endIfWritten() {
        Throwable error = stopped != null ? stopped : pull.error();
        if (finished || unwritten > 0 || (error == null && !pull.isDone()) || (stopped == null && pull.hasItem())) {
            return;
        }
        finished = true;
        if (cancelled) {
            return;
        }
        if (error != null) {
            actual.onError(error);
        } else {
            actual.onComplete();
        }
    }

    /** One message of this send in the outbound queue. */
    static final class Queued extends OutboundMessage {

        final MessageSend send;

        Queued(MessageSend send, WebSocketMessage message) {
            super(message.isText() ? Opcode.TEXT : Opcode.BINARY,
                    message.isStreamed() ? null : message.payload(),
                    message.isStreamed() ? message.content() : null);
            this.send = send;
        }

        @Override
        boolean gatesMessages() {
            return content != null;
        }

        @Override
        void written() {
            send.unwritten--;
            send.endIfWritten();
        }

        @Override
        void failed(Throwable error) {
            send.unwritten--;
            if (!send.finished) {
                send.fail(error);
            }
        }
    }
}
