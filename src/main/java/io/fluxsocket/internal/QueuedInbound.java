package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * An inbound side that queues what it received, items of a known byte size, for the single
 * subscriber of {@code receive()}, within a byte budget: {@link InboundFlow} (pieces of bytes) and
 * {@link WholeMessages} (whole messages). Subclasses turn data into items and {@link #enqueue}
 * them; this class owns demand, the budget, closing, cancellation and the terminal signal.
 * What is queued need not be what is emitted: {@link #emit} turns a queued item into the item the
 * subscriber gets as it is delivered (so that a buffer can be read in place, then released), and
 * {@link #discard} lets go of one that will never be delivered.
 *
 * <p>Demand counts items. The owner reads the socket while {@link #wantsRead()}: fewer than
 * {@code budget} bytes are queued and more items are requested than queued (or this client is
 * closing, which reads ahead within the budget); or nobody will take what arrives (cancelled, or
 * closing before anyone subscribed), so it is read and dropped.
 *
 * <p>Confined to the connection's event loop: every field below is read and written there only;
 * {@link #request}, {@link #cancel} and the binding of a subscriber hop onto it.
 */
abstract class QueuedInbound<T> extends Flux<T> implements Inbound, Subscription {

    private final EventLoop eventLoop;
    private final int budget;
    private final Runnable readCheck;
    /** Set once by the first subscribe call, from any thread: later ones are refused. */
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /** Items not yet delivered, oldest first, and the sum of their sizes. */
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** The subscriber, once bound on the event loop; null before, and after cancel or a terminal signal. */
    private CoreSubscriber<Object> subscriber;
    /** Turns a queued item into what {@link #subscriber} gets; set with it. */
    private Function<Object, ?> emitter;
    /** Requested and not yet delivered. */
    private long demand;
    /** The subscriber cancelled: data is read and dropped from now on. */
    private boolean cancelled;
    /**
     * Closing: reads go ahead of demand up to the budget, and without a subscriber data is
     * dropped, so that the server's Close can be reached.
     */
    private boolean closing;
    /** No more data will arrive; {@link #error} says how it ended (null: normally). */
    private boolean done;
    private Throwable error;
    /** The terminal signal was delivered. */
    private boolean terminated;
    /** A drain is running on the stack: re-entrant calls only note that it must loop again. */
    private boolean draining;

    /**
     * @param readCheck run after anything that can change {@link #wantsRead()}; the owner reads
     *                  the socket from it when it should
     */
    QueuedInbound(EventLoop eventLoop, int budget, Runnable readCheck) {
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
        if (discarding()) {
            return true;
        }
        return queuedBytes < budget && (demand > queue.size() || closing);
    }

    /** Nobody will read what arrives beyond the budget: it is dropped rather than stopping reads. */
    private boolean discarding() {
        return cancelled || (closing && !subscribed.get());
    }

    /** No more data is taken: the flow ended. */
    final boolean isDone() {
        return done;
    }

    /** Whether an item that arrives now is kept: not if the flow ended, or nobody will read it. */
    final boolean accepting() {
        return !done && !cancelled && !(discarding() && queuedBytes >= budget);
    }

    /** Queues an item of {@code bytes} bytes and delivers what is requested. */
    final void enqueue(Object item, int bytes) {
        queue.add(new Queued(item, bytes));
        queuedBytes += bytes;
        drain();
    }

    /**
     * This client sent its Close. Reads go on ahead of demand, up to the budget; a subscriber
     * still gets every item, with backpressure (a slow one makes the closing handshake wait,
     * within the close timeout); if there is none, data beyond the budget is dropped so that reads
     * go on to the server's Close.
     */
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
     * What the subscriber of {@link #subscribe} gets for a queued item, as it is delivered: the
     * item itself unless a subclass queues something else. May throw: the flow then errors.
     */
    Object emit(Object queued) {
        return queued;
    }

    /** Lets go of a queued item that will not be delivered (cancelled, refused request). */
    void discard(Object queued) {
    }

    /** Replaces each queued item by what {@code replacement} makes of it, keeping its size. */
    final void replaceQueued(UnaryOperator<Object> replacement) {
        for (int i = queue.size(); i > 0; i--) {
            Queued q = queue.poll();
            queue.add(new Queued(replacement.apply(q.item()), q.bytes()));
        }
    }

    @Override
    public final void subscribe(CoreSubscriber<? super T> actual) {
        subscribe(actual, this::emit);
    }

    /**
     * Binds the one subscriber, which gets what {@code emitter} makes of each queued item as it is
     * delivered (on the event loop); an exception from it cancels the flow and errors the
     * subscriber with it.
     */
    @SuppressWarnings("unchecked")
    final void subscribe(CoreSubscriber<?> actual, Function<Object, ?> emitter) {
        if (!subscribed.compareAndSet(false, true)) {
            Operators.error(actual, new IllegalStateException(
                    "receive() allows only one subscriber; it is already subscribed"));
            return;
        }
        actual.onSubscribe(this);
        EventLoops.run(eventLoop, () -> {
            if (!cancelled) {
                subscriber = (CoreSubscriber<Object>) actual;
                this.emitter = emitter;
                drain();
            }
        });
    }

    @Override
    public final void request(long n) {
        EventLoops.run(eventLoop, () -> {
            if (n <= 0) {
                if (subscriber != null && !terminated) {
                    error = new IllegalArgumentException("§3.9: request must be positive, was " + n);
                    done = true;
                    clear();
                    drain();
                }
                return;
            }
            demand = Operators.addCap(demand, n);
            drain();
        });
    }

    @Override
    public final void cancel() {
        EventLoops.run(eventLoop, () -> {
            cancelled = true;
            subscriber = null;
            clear();
            readCheck.run();
        });
    }

    private void clear() {
        for (Queued q; (q = queue.poll()) != null; ) {
            discard(q.item());
        }
        queuedBytes = 0;
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            CoreSubscriber<Object> s;
            while ((s = subscriber) != null && demand > 0 && !queue.isEmpty()) {
                Queued next = queue.poll();
                queuedBytes -= next.bytes();
                demand--;
                Object item;
                try {
                    item = Objects.requireNonNull(emitter.apply(next.item()), "the reader returned null");
                } catch (Throwable t) {
                    Exceptions.throwIfJvmFatal(t);
                    // As a failing map does: stop reading for this subscriber, then tell it why.
                    cancelled = true;
                    terminated = true;
                    subscriber = null;
                    clear();
                    s.onError(t);
                    break;
                }
                s.onNext(item);
            }
            s = subscriber;
            if (s != null && done && queue.isEmpty() && !terminated) {
                terminated = true;
                subscriber = null;
                if (error == null) {
                    s.onComplete();
                } else {
                    s.onError(error);
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
