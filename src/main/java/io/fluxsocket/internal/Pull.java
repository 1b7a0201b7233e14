package io.fluxsocket.internal;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Fuseable;

/**
 * The library's subscriber to a publisher it sends from. It asks for <em>one item at a time</em>,
 * and only while its {@link Taker} says the outbound budget has room; each item is charged to the
 * budget as it arrives, on the publisher's own thread, and the next is asked for from there at
 * once: a publisher on another thread is not held up by a round trip through the event loop per
 * item. When the budget is full it stops asking; the owner, on the event loop, asks again
 * ({@link #request()}) once writes made room. So what a publisher has given and the socket has not
 * taken is never more than the budget plus one item, whatever the items' sizes.
 *
 * <p>Requests never overlap (Reactive Streams §2.7): only the thread that moves the state from
 * idle to requested asks, and the next transition back to idle is the item's arrival. A cancel
 * (the owner's, on the event loop) can meet a request made on the publisher's thread; a request
 * after a cancel does nothing (§3.6), and items that still arrive are given back. The owner
 * takes items with {@link #poll()} on its event loop; an item that will not be used is given back
 * to the budget ({@link Taker#release}), exactly once, also when it arrives after a cancel.
 * The state goes back to idle only once the item is queued and charged, so the owner, which may
 * ask on the event loop meanwhile, never asks before the item's bytes count.
 *
 * <p><b>Fused publishers.</b> A publisher that offers synchronous fusion ({@link Fuseable#SYNC}:
 * {@code Flux.range}, {@code fromIterable}, {@code fromArray}, {@code map} and {@code filter} over
 * them) is not asked at all: the owner takes its items with {@link #poll()} on the event loop, one
 * when the budget has room, which costs no request, queue or signal per item. Its items are then
 * made on the event loop, where a request-driven publisher also makes the items asked for once
 * writes made room; the bound is the same.
 *
 * @param <T> what the publisher emits
 * @param <R> what is queued for the owner (the item, or what the taker made of it)
 */
final class Pull<T, R> implements CoreSubscriber<T> {

    /** How items are taken. Called on any thread. */
    interface Taker<T, R> {

        /** Turns an item into what is queued, and charges it to the budget (the publisher's thread). */
        R take(T item);

        /** An item that was taken and will not be used: its charge goes back to the budget. */
        void release(R item);

        /** Whether another item may be asked for now: the budget has room. */
        boolean mayRequest();
    }

    private static final int IDLE = 0;
    private static final int REQUESTED = 1;

    private final Taker<T, R> taker;
    /** Schedules the owner's drain (any thread). */
    private final Runnable signal;
    /** What an item is called in errors. */
    private final String itemName;
    /** Items taken and not polled yet (publisher thread in, event loop out; both may drop them). */
    private final Queue<R> queue = new ConcurrentLinkedQueue<>();
    /** {@link #REQUESTED} while an item is asked for and has not come, else {@link #IDLE} (any thread). */
    private final AtomicInteger state = new AtomicInteger(IDLE);

    /** The publisher's subscription, once given (any thread). */
    private volatile Subscription upstream;
    /** The publisher's subscription when it fused synchronously, polled by the owner; else null (any thread). */
    private volatile Fuseable.QueueSubscription<T> fused;
    /** The publisher completed, or failed with {@link #error} (publisher thread). */
    private volatile boolean done;
    private volatile Throwable error;
    /** The owner cancelled: later items are dropped (any thread). */
    private volatile boolean cancelled;

    Pull(Taker<T, R> taker, Runnable signal, String itemName) {
        this.taker = taker;
        this.signal = signal;
        this.itemName = itemName;
    }

    // ---- the publisher's signals (any thread) ----

    @Override
    public void onSubscribe(Subscription s) {
        Objects.requireNonNull(s, "subscription");
        if (upstream != null) {
            // §2.5: one subscription only.
            s.cancel();
            return;
        }
        if (s instanceof Fuseable.QueueSubscription<?> && !cancelled) {
            @SuppressWarnings("unchecked")
            Fuseable.QueueSubscription<T> qs = (Fuseable.QueueSubscription<T>) s;
            if (qs.requestFusion(Fuseable.SYNC) == Fuseable.SYNC) {
                fused = qs;
            }
        }
        upstream = s;
        if (cancelled) {
            s.cancel();
            return;
        }
        signal.run();
        request();
    }

    @Override
    public void onNext(T t) {
        Objects.requireNonNull(t, itemName);
        if (cancelled) {
            return;
        }
        if (state.get() != REQUESTED) {
            // Asked for one at a time (Reactive Streams §1.1).
            onError(new IllegalStateException("the publisher emitted a " + itemName + " that was not requested"));
            return;
        }
        queue.offer(taker.take(t));
        // Only this thread leaves REQUESTED; the item counts before anyone may ask again.
        state.lazySet(IDLE);
        if (cancelled) {
            // Cancelled meanwhile: whoever polls an item gives it back, once.
            releaseQueued();
            return;
        }
        signal.run();
        request();
    }

    @Override
    public void onError(Throwable t) {
        Objects.requireNonNull(t, "error");
        error = t;
        signal.run();
    }

    @Override
    public void onComplete() {
        done = true;
        signal.run();
    }

    // ---- the owner ----

    /**
     * Asks for the next item if none is asked for, the publisher has not ended, and the budget has
     * room; any thread (the owner calls it on the event loop once writes made room).
     *
     * @return whether it asked
     */
    boolean request() {
        Subscription s = upstream;
        if (s == null || fused != null || cancelled || done || error != null || !taker.mayRequest()
                || !state.compareAndSet(IDLE, REQUESTED)) {
            return false;
        }
        s.request(1);
        return true;
    }

    /**
     * The oldest item taken and not polled, now the owner's; null if none. From a fused publisher,
     * its next item if the budget has room (its end or error, when it gives none, is then
     * {@linkplain #isDone set} and signalled). Event loop.
     */
    R poll() {
        Fuseable.QueueSubscription<T> qs = fused;
        if (qs == null) {
            return queue.poll();
        }
        if (cancelled || done || error != null || !taker.mayRequest()) {
            return null;
        }
        T t;
        try {
            t = qs.poll();
        } catch (Throwable e) {
            qs.cancel();
            error = Exceptions.unwrap(e);
            signal.run();
            return null;
        }
        if (t == null) {
            done = true;
            signal.run();
            return null;
        }
        return taker.take(t);
    }

    /** An item was taken and not polled yet. */
    boolean hasItem() {
        return !queue.isEmpty();
    }

    /** An item or the end was given and not yet taken: something is at hand (a fused publisher's next item while there is room). */
    boolean hasSignal() {
        return !queue.isEmpty() || done || error != null || (fused != null && !cancelled && taker.mayRequest());
    }

    boolean isDone() {
        return done;
    }

    Throwable error() {
        return error;
    }

    /** Cancels the publisher and gives back what it gave and was not polled. */
    void cancel() {
        cancelled = true;
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
        releaseQueued();
    }

    private void releaseQueued() {
        for (R r; (r = queue.poll()) != null; ) {
            taker.release(r);
        }
    }
}
