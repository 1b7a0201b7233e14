package io.fluxsocket.internal;

import java.util.Queue;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.util.concurrent.Queues;

/**
 * A subscriber whose signals wait for the event loop: items in a queue (or, for a {@link Mono},
 * which emits at most one, in a single slot), the end in flags, each signal followed by
 * {@link #signalled()}, which schedules the owner's drain. The owner, on the event loop, reads
 * {@link #done} and {@link #error} before it {@link #poll()}s: what was emitted before the end is
 * then visible.
 */
abstract class Inbox<T> implements CoreSubscriber<T> {

    /** Emitted and not yet taken (publisher thread in, event loop out); null for a single slot. */
    private final Queue<T> queue;
    /** The item of a Mono emitted and not yet taken (publisher thread in, event loop out). */
    private volatile T single;
    /** What the item is called in the error for a null one. */
    private final String itemName;
    /** The publisher's subscription, once given. */
    volatile Subscription upstream;
    volatile boolean done;
    volatile Throwable error;

    /**
     * @param single   a single slot instead of a queue: the publisher is a {@link Mono}
     * @param linkSize the size of each array of the queue (see {@link Queues#unbounded(int)})
     */
    Inbox(boolean single, int linkSize, String itemName) {
        this.queue = single ? null : Queues.<T>unbounded(linkSize).get();
        this.itemName = itemName;
    }

    /** A signal arrived (any thread): the owner must drain on its event loop. */
    abstract void signalled();

    /** The oldest item emitted and not yet taken, removed; null if none. Event loop only. */
    final T poll() {
        if (queue != null) {
            return queue.poll();
        }
        T item = single;
        if (item != null) {
            single = null;
        }
        return item;
    }

    /** Whether an item was emitted and not yet taken. Event loop only. */
    final boolean hasItems() {
        return queue != null ? !queue.isEmpty() : single != null;
    }

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
        if (queue != null) {
            queue.offer(item);
        } else if (single == null) {
            single = item;
        } else {
            // A Mono emits at most one item (Reactive Streams §1.1 as Mono narrows it).
            onError(new IllegalStateException("send: a Mono emitted more than one " + itemName));
            return;
        }
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
        clearItems();
    }

    /** Drops what was emitted and not taken. Event loop only. */
    final void clearItems() {
        if (queue != null) {
            queue.clear();
        } else {
            single = null;
        }
    }
}
