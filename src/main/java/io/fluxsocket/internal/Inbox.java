package io.fluxsocket.internal;

import java.util.Queue;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * A subscriber whose signals wait for the event loop: items in a queue, the end in flags, each
 * signal followed by {@link #signalled()}, which schedules the owner's drain. The owner, on the
 * event loop, reads {@link #done} and {@link #error} before it polls {@link #items}: what was
 * emitted before the end is then visible.
 */
abstract class Inbox<T> implements CoreSubscriber<T> {

    /** Emitted and not yet taken (publisher thread in, event loop out); null if never subscribed. */
    final Queue<T> items;
    /** What the item is called in the error for a null one. */
    private final String itemName;
    /** The publisher's subscription, once given. */
    volatile Subscription upstream;
    volatile boolean done;
    volatile Throwable error;

    Inbox(Queue<T> items, String itemName) {
        this.items = items;
        this.itemName = itemName;
    }

    /** A signal arrived (any thread): the owner must drain on its event loop. */
    abstract void signalled();

    @Override
    public final void onSubscribe(Subscription s) {
        upstream = s;
        signalled();
    }

    @Override
    public final void onNext(T item) {
        if (item == null) {
            onError(new NullPointerException("send: the publisher emitted a null " + itemName));
            return;
        }
        items.offer(item);
        signalled();
    }

    @Override
    public final void onError(Throwable t) {
        error = t;
        signalled();
    }

    @Override
    public final void onComplete() {
        done = true;
        signalled();
    }

    /** Cancels the publisher and drops what it emitted and was not taken. */
    final void cancelUpstream() {
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
        if (items != null) {
            items.clear();
        }
    }
}
