package io.fluxsocket.internal;

import java.util.Objects;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * The library's subscriber to a publisher it sends from: it takes <em>one item at a time</em>.
 * The owner asks for the next item with {@link #request()} when it has room for it, and takes it
 * with {@link #poll()} on its event loop; so what a publisher has given and the library not yet
 * written is never more than the library asked for, whatever the items' sizes.
 *
 * <p>Signals may come on any thread: each is recorded (the item in a slot, the end in flags),
 * then {@code signal} runs, which schedules the owner's drain. The owner reads the end
 * ({@link #isDone()}, {@link #error()}) before it polls: an item emitted before the end is then
 * visible.
 *
 * @param <T> the items: buffers of a streamed message, or the messages of a message-mode send
 */
final class Pull<T> implements CoreSubscriber<T> {

    /** Schedules the owner's drain (any thread). */
    private final Runnable signal;
    /** What an item is called in errors. */
    private final String itemName;

    /** The publisher's subscription, once given (any thread). */
    private volatile Subscription upstream;
    /** The item given and not taken yet (publisher thread in, event loop out). */
    private volatile T item;
    /** The publisher completed, or failed with {@link #error} (publisher thread). */
    private volatile boolean done;
    private volatile Throwable error;
    /** The owner cancelled: later items are dropped (any thread). */
    private volatile boolean cancelled;
    /** An item was requested and has not been taken yet (event loop). */
    private boolean outstanding;

    Pull(Runnable signal, String itemName) {
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
        upstream = s;
        if (cancelled) {
            s.cancel();
            return;
        }
        signal.run();
    }

    @Override
    public void onNext(T t) {
        Objects.requireNonNull(t, itemName);
        if (cancelled) {
            return;
        }
        if (item != null) {
            // It was asked for one at a time (Reactive Streams §1.1).
            onError(new IllegalStateException("the publisher emitted a " + itemName + " that was not requested"));
            return;
        }
        item = t;
        signal.run();
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

    // ---- the owner (event loop) ----

    /**
     * Asks for the next item, unless one is outstanding, the publisher ended or has not given its
     * subscription yet.
     *
     * @return whether it asked
     */
    boolean request() {
        if (!canRequest()) {
            return false;
        }
        outstanding = true;
        upstream.request(1);
        return true;
    }

    /** Whether {@link #request()} would ask: subscribed, nothing outstanding, not ended. */
    boolean canRequest() {
        return upstream != null && !outstanding && !done && error == null && !cancelled;
    }

    /** The item given and not taken yet, now taken; null if none. */
    T poll() {
        T t = item;
        if (t != null) {
            item = null;
            outstanding = false;
        }
        return t;
    }

    boolean hasItem() {
        return item != null;
    }

    /** An item or the end was given and not yet taken: something is at hand. */
    boolean hasSignal() {
        return item != null || done || error != null;
    }

    /** An item was asked for and has not come yet. */
    boolean isWaiting() {
        return outstanding && item == null;
    }

    boolean isDone() {
        return done;
    }

    Throwable error() {
        return error;
    }

    /** Cancels the publisher and drops what it gave and was not taken. */
    void cancel() {
        cancelled = true;
        item = null;
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
    }
}
