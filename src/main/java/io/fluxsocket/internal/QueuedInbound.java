package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;

/**
 * An inbound side that queues what it received, items of a known byte size, for the single
 * subscriber of {@code receive()} ({@link Delivery}), within a byte budget: {@link InboundFlow}
 * (pieces of bytes) and {@link WholeMessages} (whole messages). Subclasses turn data into items and
 * {@link #enqueue} them; this class owns the budget, closing and the end. What is queued need not
 * be what is emitted: the subscriber's {@code emitter} turns a queued item into what it gets as it
 * is delivered (so that a buffer can be read in place), and {@link #release} lets go of an item
 * once it was delivered, or when it never will be.
 *
 * <p>Demand counts items; it decides what is delivered, not what is read. The owner reads the
 * socket while {@link #wantsRead()}: fewer than {@code budget} bytes are queued, whether anyone
 * subscribed or requested yet (so control frames, the server's Pings and Close, are read whatever
 * the subscriber asks for); or nobody will take what arrives (cancelled, or closing before anyone
 * subscribed), so it is read and dropped. What arrives before {@code receive()} is subscribed is
 * queued the same way, and delivered once it is requested.
 *
 * <p>Confined to the connection's event loop.
 */
abstract class QueuedInbound implements Inbound, Delivery.Source {

    /** The subscriber of {@code receive()}. */
    final Delivery delivery;
    private final int budget;
    private final Runnable readCheck;

    /** Items not yet delivered, oldest first, and the sum of their sizes. */
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** Closing: without a subscriber, what does not fit the budget is dropped. */
    private boolean closing;
    /** No more data will arrive; {@link #error} says how it ended (null: normally). */
    private boolean done;
    private Throwable error;
    /** A drain is on the stack: re-entrant calls return at once (the loop sees what they added). */
    private boolean draining;

    /**
     * @param readCheck run after anything that can change {@link #wantsRead()}; the owner reads
     *                  the socket from it when it should
     */
    QueuedInbound(EventLoop eventLoop, int budget, Runnable readCheck) {
        this.delivery = new Delivery(eventLoop, this, "receive()");
        this.budget = budget;
        this.readCheck = readCheck;
    }

    /** Binds the subscriber, who gets what {@code emitter} makes of each queued item (it may throw). */
    final void subscribe(CoreSubscriber<?> actual, Function<Object, ?> emitter) {
        delivery.subscribe(actual, emitter);
    }

    @Override
    public long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public final boolean wantsRead() {
        if (done) {
            return false;
        }
        if (discarding()) {
            return true;
        }
        return queuedBytes < budget;
    }

    /** Nobody will read what arrives beyond the budget: it is dropped rather than stopping reads. */
    private boolean discarding() {
        return delivery.isCancelled() || (closing && !delivery.isSubscribed());
    }

    /** No more data is taken: the flow ended. */
    final boolean isDone() {
        return done;
    }

    /** Whether an item that arrives now is kept: not if the flow ended, or nobody will read it. */
    final boolean accepting() {
        return !done && !delivery.isCancelled() && !(discarding() && queuedBytes >= budget);
    }

    /** Whether an item queued now is delivered at once: its subscriber waits, and nothing is queued before it. */
    final boolean deliveredAtOnce() {
        return queue.isEmpty() && delivery.wants();
    }

    /** Queues an item of {@code bytes} bytes and delivers what is requested. */
    final void enqueue(Object item, int bytes) {
        queue.add(new Queued(item, bytes));
        queuedBytes += bytes;
        drain();
    }

    @Override
    public final void closing() {
        closing = true;
        readCheck.run();
    }

    @Override
    public final void terminate(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        this.error = error;
        onTerminate();
        drain();
    }

    /** The flow ended: subclasses drop what they hold that will never become an item. */
    void onTerminate() {
    }

    /**
     * Lets go of a queued item once it was delivered (after the subscriber's {@code onNext}
     * returned, so that what the emitter made of it may read it in place until then), or when it
     * never will be (cancelled).
     */
    void release(Object queued) {
    }

    /** Replaces each queued item by what {@code replacement} makes of it, keeping its size. */
    final void replaceQueued(UnaryOperator<Object> replacement) {
        for (int i = queue.size(); i > 0; i--) {
            Queued q = queue.poll();
            queue.add(new Queued(replacement.apply(q.item()), q.bytes()));
        }
    }

    @Override
    public final void cancelled() {
        for (Queued q; (q = queue.poll()) != null; ) {
            release(q.item());
        }
        queuedBytes = 0;
        readCheck.run();
    }

    @Override
    @SuppressWarnings("unchecked")
    public final void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            Function<Object, ?> emitter = (Function<Object, ?>) delivery.tag();
            while (delivery.wants() && !queue.isEmpty()) {
                Queued next = queue.poll();
                queuedBytes -= next.bytes();
                Object item;
                try {
                    item = Objects.requireNonNull(emitter.apply(next.item()), "the reader returned null");
                } catch (Throwable t) {
                    Exceptions.throwIfJvmFatal(t);
                    release(next.item());
                    // As a failing map does: stop reading for this subscriber, then tell it why.
                    delivery.abort(t);
                    break;
                }
                try {
                    delivery.next(item);
                } finally {
                    // What the emitter lent stays valid until the subscriber's onNext returned.
                    release(next.item());
                }
            }
            if (done && queue.isEmpty()) {
                if (error == null) {
                    delivery.complete();
                } else {
                    delivery.error(error);
                }
            }
        } finally {
            draining = false;
        }
        readCheck.run();
    }

    /** A queued item and the bytes it was counted with. */
    private record Queued(Object item, int bytes) {
    }
}
