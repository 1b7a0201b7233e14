package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The inbound side of a connection in streamed-message mode: each message is emitted at its first
 * piece, and its {@link Content} delivers the bytes as they arrive.
 *
 * <p>One queue holds the pieces of all messages in arrival order, each tagged with its message's
 * number, within one byte budget: the socket is read only while the queue holds fewer than
 * {@code budget} bytes and someone waits for what is not queued (the current message's content
 * has demand, or no message is current and {@code receive()} has demand). So the bytes held stay
 * under {@code budget + 64 KiB}, as in stream mode, whatever the message sizes. The next message
 * is emitted only after the current one's content ended or was cancelled; a cancelled content's
 * remaining pieces are dropped, queued or arriving.
 *
 * <p>Confined to the connection's event loop: every field below is read and written there only;
 * the subscriptions' signals hop onto it.
 */
final class StreamedMessages extends Flux<WebSocketMessage> implements Inbound, Subscription {

    private final EventLoop eventLoop;
    private final int budget;
    private final Runnable readCheck;
    /** Set once by the first subscribe call, from any thread: later ones are refused. */
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /** Pieces not yet delivered or dropped, oldest first, and the bytes they hold. */
    private final ArrayDeque<Piece> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** The number of the message whose pieces are arriving, and its UTF-8 check if it is text. */
    private long arriving;
    private Utf8Validator utf8;
    /** Pieces of this message that arrive are dropped: its content was cancelled. */
    private long skipping = -1;

    /** The subscriber of {@code receive()}, once bound; null before, and after cancel or a terminal signal. */
    private CoreSubscriber<? super WebSocketMessage> subscriber;
    /** The subscriber of {@code receive()} from the start (any thread): for a §3.9 error before binding. */
    private volatile CoreSubscriber<? super WebSocketMessage> receiver;
    /** Messages requested and not yet emitted. */
    private long demand;
    /** {@code receive()} was cancelled: no message is emitted any more; the current content goes on. */
    private boolean cancelled;
    /** The message emitted whose content has not ended or been cancelled, or null. */
    private Content current;
    /** This client sent its Close: reads go ahead of demand within the budget. */
    private boolean closing;
    /** No more data will arrive; {@link #error} says how it ended (null: normally). */
    private boolean done;
    private Throwable error;
    /** The terminal signal of {@code receive()} was delivered. */
    private boolean terminated;
    /** A drain is on the stack; {@link #again} makes it loop instead of re-entering. */
    private boolean draining;
    private boolean again;

    StreamedMessages(EventLoop eventLoop, int budget, Runnable readCheck) {
        this.eventLoop = eventLoop;
        this.budget = budget;
        this.readCheck = readCheck;
    }

    @Override
    public long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public boolean wantsRead() {
        if (done) {
            return false;
        }
        if (skipping >= 0 || (current == null && discardingLater())) {
            // What arrives now is dropped: reading it costs no memory and reaches what follows.
            return true;
        }
        boolean waiting = current != null ? current.subscriber != null && current.demand > 0
                : subscriber != null && demand > 0;
        return queuedBytes < budget && (waiting || closing);
    }

    /** Messages after the current one will not be emitted: nobody is or will be there to take them. */
    private boolean discardingLater() {
        return cancelled || (closing && !subscribed.get());
    }

    @Override
    public void onData(ByteBuf piece, boolean start, boolean text, boolean end) {
        if (start) {
            arriving++;
            utf8 = text ? new Utf8Validator() : null;
        }
        if (utf8 != null) {
            long bad = utf8.update(piece);
            if (bad >= 0 || (end && !utf8.isComplete())) {
                throw WholeMessages.notUtf8(bad >= 0 ? bad : utf8.offset());
            }
        }
        if (done) {
            return;
        }
        if (!keep()) {
            drop(arriving, end);
            return;
        }
        int n = piece.readableBytes();
        ByteBuffer copy = ByteBuffer.allocate(n);
        piece.getBytes(piece.readerIndex(), copy);
        copy.flip();
        queue.add(new Piece(arriving, copy, text, end));
        queuedBytes += n;
        drain();
    }

    /** Whether the piece of message {@link #arriving} is kept for delivery. */
    private boolean keep() {
        if (arriving == skipping) {
            return false;
        }
        if (current != null && arriving == current.number) {
            return true;
        }
        // A message not emitted yet.
        return !cancelled && !(closing && !subscribed.get() && queuedBytes >= budget);
    }

    /**
     * Drops message {@code number}, not emitted yet, whole: the pieces queued and, unless this was
     * its last, those still to arrive. A message is delivered entire or not at all.
     */
    private void drop(long number, boolean end) {
        queue.removeIf(p -> {
            if (p.message != number) {
                return false;
            }
            queuedBytes -= p.data.remaining();
            return true;
        });
        skipping = end ? -1 : number;
    }

    @Override
    public void closing() {
        closing = true;
        readCheck.run();
    }

    @Override
    public void terminate(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        this.error = error;
        drain();
    }

    // ---- receive(): the messages ----

    @Override
    public void subscribe(CoreSubscriber<? super WebSocketMessage> actual) {
        if (!subscribed.compareAndSet(false, true)) {
            Operators.error(actual, new IllegalStateException(
                    "receive() allows only one subscriber; it is already subscribed"));
            return;
        }
        receiver = actual;
        actual.onSubscribe(this);
        EventLoops.run(eventLoop, () -> {
            if (!cancelled) {
                subscriber = actual;
                drain();
            }
        });
    }

    @Override
    public void request(long n) {
        EventLoops.run(eventLoop, () -> {
            // A request may come from onSubscribe, before the subscriber is bound: it counts.
            if (cancelled || terminated) {
                return;
            }
            if (n <= 0) {
                CoreSubscriber<? super WebSocketMessage> s = receiver;
                cancel();
                s.onError(new IllegalArgumentException("§3.9: request must be positive, was " + n));
                return;
            }
            demand = Operators.addCap(demand, n);
            drain();
        });
    }

    @Override
    public void cancel() {
        EventLoops.run(eventLoop, () -> {
            cancelled = true;
            subscriber = null;
            // Pieces of messages that will never be emitted go; the current content's stay.
            long keepNumber = current != null ? current.number : -1;
            queue.removeIf(p -> {
                if (p.message == keepNumber) {
                    return false;
                }
                queuedBytes -= p.data.remaining();
                return true;
            });
            drain();
        });
    }

    // ---- delivery ----

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
        readCheck.run();
    }

    private void step() {
        while (true) {
            Content c = current;
            if (c == null) {
                Piece head = queue.peek();
                if (head == null) {
                    endIfDone();
                    return;
                }
                if (subscriber == null || demand == 0) {
                    return;
                }
                current = c = new Content(head.message);
                demand--;
                subscriber.onNext(head.text ? WebSocketMessage.text(c) : WebSocketMessage.binary(c));
                continue;
            }
            if (c.cancelled) {
                skip(c);
                continue;
            }
            if (c.subscriber == null) {
                return;
            }
            Piece p = queue.peek();
            if (p == null || p.message != c.number) {
                if (done) {
                    // The connection ended before this message did.
                    current = null;
                    c.end(error != null ? error : new WebSocketException(WebErrorStatus.CLOSED,
                            "the server closed the connection before the end of this message"));
                    continue;
                }
                return;
            }
            if (p.data.hasRemaining()) {
                if (c.demand == 0) {
                    return;
                }
                c.demand--;
            }
            queue.poll();
            queuedBytes -= p.data.remaining();
            if (p.data.hasRemaining()) {
                c.subscriber.onNext(p.data);
            }
            if (p.end) {
                current = null;
                c.end(null);
            }
        }
    }

    /** Drops the rest of a cancelled message: its queued pieces, and those still to arrive. */
    private void skip(Content c) {
        current = null;
        boolean ended = false;
        while (!queue.isEmpty() && queue.peek().message == c.number) {
            Piece p = queue.poll();
            queuedBytes -= p.data.remaining();
            ended = p.end;
        }
        if (!ended && arriving == c.number) {
            skipping = c.number;
        }
    }

    private void endIfDone() {
        CoreSubscriber<? super WebSocketMessage> s = subscriber;
        if (s != null && done && !terminated) {
            terminated = true;
            subscriber = null;
            if (error == null) {
                s.onComplete();
            } else {
                s.onError(error);
            }
        }
    }

    /** A piece of a message's payload, copied to the heap. */
    private record Piece(long message, ByteBuffer data, boolean text, boolean end) {
    }

    /** The content of one emitted message: its bytes, to its one subscriber, as requested. */
    private final class Content extends Flux<ByteBuffer> implements Subscription {

        /** The number of its message. */
        final long number;
        /** Set once by the first subscribe call, from any thread. */
        final AtomicBoolean subscribedOnce = new AtomicBoolean();
        // Event loop only.
        CoreSubscriber<? super ByteBuffer> subscriber;
        long demand;
        boolean cancelled;
        /** Its subscriber from the start (any thread): for a §3.9 error before binding. */
        volatile CoreSubscriber<? super ByteBuffer> receiver;

        Content(long number) {
            this.number = number;
        }

        @Override
        public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
            if (!subscribedOnce.compareAndSet(false, true)) {
                Operators.error(actual, new IllegalStateException(
                        "the content of a received message allows only one subscriber"));
                return;
            }
            receiver = actual;
            actual.onSubscribe(this);
            EventLoops.run(eventLoop, () -> {
                if (cancelled) {
                    // Its subscriber cancelled already, or the message ended without one (impossible
                    // while it is current, since the end waits for a subscriber).
                    return;
                }
                subscriber = actual;
                drain();
            });
        }

        @Override
        public void request(long n) {
            EventLoops.run(eventLoop, () -> {
                // A request may come from onSubscribe, before the subscriber is bound: it counts.
                if (cancelled) {
                    return;
                }
                if (n <= 0) {
                    CoreSubscriber<? super ByteBuffer> s = receiver;
                    cancel();
                    s.onError(new IllegalArgumentException("§3.9: request must be positive, was " + n));
                    return;
                }
                demand = Operators.addCap(demand, n);
                drain();
            });
        }

        @Override
        public void cancel() {
            EventLoops.run(eventLoop, () -> {
                if (!cancelled) {
                    cancelled = true;
                    subscriber = null;
                    drain();
                }
            });
        }

        /** The message ended ({@code error == null}) or cannot end. */
        void end(Throwable error) {
            CoreSubscriber<? super ByteBuffer> s = subscriber;
            subscriber = null;
            cancelled = true;
            if (s != null) {
                if (error == null) {
                    s.onComplete();
                } else {
                    s.onError(error);
                }
            }
        }
    }
}
