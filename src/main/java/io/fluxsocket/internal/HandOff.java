package io.fluxsocket.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Supplier;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * The hand-off of an open connection to the connect's subscriber, within the connect timeout: the
 * one place that decides, once, whether the connect delivered its connection, was cancelled or timed
 * out. A connection that arrives after the cancel or the timeout is closed here, and one that an
 * operator upstream discards on its way here (a {@code Mono.create} sink that succeeds as it is
 * cancelled, a {@code flatMap} cancelled as its inner value arrives) is closed by the discard hook
 * this operator puts in the context upstream. {@code Mono.timeout} would drop such a connection
 * ({@code Operators.onNextDropped}): it stayed open, owned by nobody.
 *
 * <p>Nothing of this operator keeps the upstream chain alive once the connection is delivered:
 * the timer is disposed, and Reactor Netty's reference to the connect's subscriber is cut upstream.
 */
final class HandOff extends MonoOperator<WebSocketConnection, WebSocketConnection> {

    private final Duration timeout;
    private final Supplier<? extends Throwable> timedOut;

    /**
     * @param timedOut the error of a connect that did not deliver within {@code timeout}, made when the
     *                 timer fires (before the connect is cancelled)
     */
    HandOff(Mono<WebSocketConnection> source, Duration timeout, Supplier<? extends Throwable> timedOut) {
        super(source.doOnDiscard(WebSocketConnection.class, HandOff::close));
        this.timeout = timeout;
        this.timedOut = timedOut;
    }

    private static void close(WebSocketConnection connection) {
        connection.channel().close();
    }

    @Override
    public void subscribe(CoreSubscriber<? super WebSocketConnection> actual) {
        Deadline deadline = new Deadline(actual, timedOut);
        actual.onSubscribe(deadline);
        Disposable timer = Schedulers.parallel().schedule(deadline::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        deadline.timer = timer;
        if (deadline.state != Deadline.PENDING) {
            // Cancelled from onSubscribe: the timer would keep the subscriber until it fires.
            timer.dispose();
        }
        source.subscribe(deadline);
    }

    /** One connect's outcome, decided once (any thread: the event loop, the timer, the canceller). */
    private static final class Deadline extends Operators.DeferredSubscription
            implements CoreSubscriber<WebSocketConnection> {

        private static final int PENDING = 0;
        private static final int DONE = 1;
        private static final int CANCELLED = 2;
        private static final int TIMED_OUT = 3;
        /** The connection is being handed over (onNext and onComplete downstream have not returned). */
        private static final int DELIVERING = 4;
        /** Cancelled from another thread while the connection was being handed over. */
        private static final int CANCELLED_DELIVERING = 5;
        private static final AtomicIntegerFieldUpdater<Deadline> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Deadline.class, "state");

        private final CoreSubscriber<? super WebSocketConnection> actual;
        private final Supplier<? extends Throwable> timedOut;
        /** The thread handing the connection over, while {@link #DELIVERING}. */
        private volatile Thread delivering;
        /** The connect timeout's task; disposed once the outcome is decided. */
        volatile Disposable timer;
        /** {@link #PENDING} until the outcome: delivered or failed, cancelled, timed out. */
        volatile int state;

        Deadline(CoreSubscriber<? super WebSocketConnection> actual, Supplier<? extends Throwable> timedOut) {
            this.actual = actual;
            this.timedOut = timedOut;
        }

        private boolean decide(int outcome) {
            if (!STATE.compareAndSet(this, PENDING, outcome)) {
                return false;
            }
            Disposable t = timer;
            if (t != null) {
                t.dispose();
            }
            return true;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            set(s);
        }

        @Override
        public void onNext(WebSocketConnection connection) {
            delivering = Thread.currentThread();
            if (decide(DELIVERING)) {
                actual.onNext(connection);
                actual.onComplete();
                if (!STATE.compareAndSet(this, DELIVERING, DONE)) {
                    // The subscriber was disposed from another thread as the connection came: a
                    // subscriber disposed first drops it (LambdaMonoSubscriber does) and then cancels.
                    close(connection);
                }
            } else {
                // Cancelled or timed out as the handshake succeeded: nobody will own it.
                close(connection);
            }
        }

        @Override
        public void onError(Throwable e) {
            // After a cancel or the timeout, a failure is not an error anyone waits for.
            if (decide(DONE)) {
                actual.onError(e);
            }
        }

        @Override
        public void onComplete() {
            if (decide(DONE)) {
                actual.onComplete();
            }
        }

        @Override
        public void cancel() {
            if (decide(CANCELLED)) {
                super.cancel();
            } else if (state == DELIVERING && Thread.currentThread() != delivering) {
                // A cancel from the delivering thread is the subscriber's own, having taken the
                // connection (block(), next()); one from elsewhere raced the hand-off.
                STATE.compareAndSet(this, DELIVERING, CANCELLED_DELIVERING);
            }
        }

        void expire() {
            if (state != PENDING) {
                return;
            }
            Throwable error = timedOut.get();
            if (decide(TIMED_OUT)) {
                super.cancel();
                actual.onError(error);
            }
        }
    }
}
