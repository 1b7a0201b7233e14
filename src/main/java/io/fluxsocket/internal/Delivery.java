package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

/**
 * The one subscriber of an inbound {@code Flux} and its subscription, written once for every
 * inbound shape ({@code receive()} in stream and message mode, {@code receive(reader)}, a streamed
 * message's {@code content()}). The {@link Source} behind it owns the data and emits through
 * {@link #next} while {@link #wants()}.
 *
 * <ul>
 *   <li>One subscriber: a second one gets an {@link IllegalStateException} (after its
 *       {@code onSubscribe}).</li>
 *   <li>{@code request} and {@code cancel} may come on any thread; they hop onto the event loop,
 *       where demand is counted and every signal is sent. A request made inside
 *       {@code onSubscribe} counts; nothing is signalled until {@code onSubscribe} returned.</li>
 *   <li>{@code request(n <= 0)} (Reactive Streams §3.9) ends the subscription as a cancel does,
 *       and signals {@code onError(IllegalArgumentException)}: the source drops what it holds for
 *       the subscriber and the connection goes on, so it can still be closed cleanly.</li>
 *   <li>Terminal signals go once; nothing follows a terminal signal or a cancel.</li>
 * </ul>
 */
final class Delivery implements Subscription {

    /** The data behind a delivery. Called on the event loop. */
    interface Source {

        /** Emit what can be emitted now: demand rose, or the subscriber can now be signalled. */
        void drain();

        /** The subscriber cancelled (or broke §3.9): drop what is held for it; nobody will take more. */
        void cancelled();
    }

    private final EventLoop eventLoop;
    private final Source source;
    /** What the flux is called in errors, e.g. "receive()". */
    private final String name;
    /** Set once by the first subscribe call, from any thread: later ones are refused. */
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /**
     * Set by {@link #cancel} on the caller's thread before it hops onto the event loop: a terminal
     * signal the event loop would send after that is not sent (nothing follows a cancel).
     */
    private volatile boolean cancelRequested;
    /** The subscriber, handed from {@link #subscribe} (any thread) to {@link #bind} (event loop). */
    private volatile CoreSubscriber<Object> pending;
    /** What the source was given with the subscriber (e.g. how to turn items into signals); as {@link #pending}. */
    private volatile Object pendingTag;
    // Event loop only.
    /**
     * The subscriber signals go to, from {@link #bind} on; dropped once nothing more will be
     * signalled to it (§3.13), so a cancelled subscriber is not kept alive.
     */
    private CoreSubscriber<Object> actual;
    /** {@link #pendingTag}, from {@link #bind} on. */
    private Object tag;
    /** {@code onSubscribe} returned: signals may be sent. */
    private boolean bound;
    /** Requested and not yet delivered. */
    private long demand;
    /** Cancelled, or a §3.9 violation: nothing more is delivered. */
    private boolean cancelled;
    /** The terminal signal was sent. */
    private boolean terminated;
    /** A §3.9 violation waiting to be signalled once bound. */
    private Throwable violation;

    Delivery(EventLoop eventLoop, Source source, String name) {
        this.eventLoop = eventLoop;
        this.source = source;
        this.name = name;
    }

    /**
     * Binds {@code s}, or refuses it (with an {@link IllegalStateException} signal) if there was a
     * subscriber already.
     *
     * @param tag kept for the source, see {@link #tag()}
     */
    @SuppressWarnings("unchecked")
    void subscribe(CoreSubscriber<?> s, Object tag) {
        if (!subscribed.compareAndSet(false, true)) {
            Operators.error(s, new IllegalStateException(name + " allows only one subscriber; it is already subscribed"));
            return;
        }
        this.pendingTag = tag;
        this.pending = (CoreSubscriber<Object>) s;
        s.onSubscribe(this);
        EventLoops.run(eventLoop, this::bind);
    }

    private void bind() {
        actual = pending;
        tag = pendingTag;
        pending = null;
        bound = true;
        if (violation != null) {
            terminated = true;
            signalError(violation);
        } else if (!cancelled) {
            source.drain();
        } else {
            actual = null;
        }
    }

    @Override
    public void request(long n) {
        EventLoops.run(eventLoop, () -> {
            if (cancelled || terminated) {
                return;
            }
            if (n <= 0) {
                violation = new IllegalArgumentException("§3.9: " + name + " was requested " + n + ", must be positive");
                cancelled = true;
                source.cancelled();
                if (bound) {
                    terminated = true;
                    signalError(violation);
                }
                return;
            }
            demand = Operators.addCap(demand, n);
            if (bound) {
                source.drain();
            }
        });
    }

    @Override
    public void cancel() {
        cancelRequested = true;
        EventLoops.run(eventLoop, () -> {
            if (!cancelled && !terminated) {
                cancelled = true;
                if (bound) {
                    actual = null;
                }
                source.cancelled();
            }
        });
    }

    // ---- the source (event loop) ----

    /** Whether subscribe was called (any thread): someone is, or will be, there to take data. */
    boolean isSubscribed() {
        return subscribed.get();
    }

    /** What {@link #subscribe} was given with the subscriber (once bound). */
    Object tag() {
        return tag;
    }

    /** The subscriber can be signalled: {@code onSubscribe} returned, and it did not leave. */
    boolean isBound() {
        return bound && !cancelled && !terminated;
    }

    /** The subscriber cancelled (or broke §3.9): what arrives for it is dropped. */
    boolean isCancelled() {
        return cancelled;
    }

    /** An item may be emitted now. */
    boolean wants() {
        return demand > 0 && isBound();
    }

    /** Emits an item; only when {@link #wants()}. */
    void next(Object item) {
        demand--;
        actual.onNext(item);
    }

    /** Completes the subscriber, if it can be signalled; false if not (yet). */
    boolean complete() {
        if (!isBound()) {
            return false;
        }
        terminated = true;
        CoreSubscriber<Object> s = actual;
        actual = null;
        if (!cancelRequested) { // The subscriber left; its cancel is on its way to this loop.
            s.onComplete();
        }
        return true;
    }

    /** Errors the subscriber, if it can be signalled; false if not (yet). */
    boolean error(Throwable error) {
        if (!isBound()) {
            return false;
        }
        terminated = true;
        signalError(error);
        return true;
    }

    /**
     * The source cannot go on for this subscriber (its reader threw, as a failing {@code map}
     * would): it is treated as cancelled, and errored with {@code error}.
     */
    void abort(Throwable error) {
        boolean signal = isBound();
        cancelled = true;
        terminated = true;
        source.cancelled();
        if (signal) {
            signalError(error);
        }
    }

    private void signalError(Throwable error) {
        CoreSubscriber<Object> s = actual;
        actual = null;
        if (!cancelRequested) { // The subscriber left; its cancel is on its way to this loop.
            s.onError(error);
        }
    }
}
