package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketMetrics;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.context.Context;

/**
 * Tells a client's {@link WebSocketMetrics} of its connections' lives: a connect's end and how long
 * it took, a ping's round trip, a connection's end and who ended it. It hooks onto the
 * {@code Mono}s of {@code connect} and {@code ping} and onto {@code closeStatus()}, so that the
 * connection itself does nothing per message for metrics, and nothing at all without them: every
 * method returns what it was given when the client has no metrics.
 *
 * <p>What the metrics throw is logged and dropped: metrics never fail a connection.
 */
final class Metering {

    private static final Logger log = Loggers.getLogger(Metering.class);

    private Metering() {
    }

    /**
     * {@code opening}, timed from its subscription and told to {@code metrics} when it ends (a
     * failure with {@code INVALID_ARGUMENT}, refused before any I/O, is not a connect); an open
     * connection is then followed until it closes.
     */
    static Mono<WebSocketConnection> connect(WebSocketMetrics metrics, URI uri, Mono<WebSocketConnection> opening) {
        return metrics == null ? opening : new TimedConnect(opening, metrics, uri);
    }

    /**
     * The connect, timed. One subscriber per connect that keeps no reference to the publishers
     * upstream: the channel keeps the connect's subscribers for its life, and Reactor's
     * {@code doOn…} subscribers would keep, through their parent, the whole connect chain and the
     * TCP client's configuration (about 0.8 KiB per open connection, measured with {@code jmap}).
     */
    private static final class TimedConnect extends MonoOperator<WebSocketConnection, WebSocketConnection> {

        private final WebSocketMetrics metrics;
        private final URI uri;

        TimedConnect(Mono<WebSocketConnection> source, WebSocketMetrics metrics, URI uri) {
            super(source);
            this.metrics = metrics;
            this.uri = uri;
        }

        @Override
        public void subscribe(CoreSubscriber<? super WebSocketConnection> actual) {
            source.subscribe(new Timer(actual, metrics, uri));
        }
    }

    /** Tells how one connect ended, once: a cancel after its success or failure is not one. */
    private static final class Timer implements CoreSubscriber<WebSocketConnection>, Subscription {

        private static final AtomicIntegerFieldUpdater<Timer> ENDED = AtomicIntegerFieldUpdater.newUpdater(Timer.class, "ended");

        private final CoreSubscriber<? super WebSocketConnection> actual;
        private final WebSocketMetrics metrics;
        private final URI uri;
        /** {@link System#nanoTime()} at subscription. */
        private final long start = System.nanoTime();
        /** The upstream subscription (set once, before any other signal). */
        private Subscription upstream;
        /** 1 once the connect's end was told (any thread: a cancel races the outcome). */
        private volatile int ended;

        Timer(CoreSubscriber<? super WebSocketConnection> actual, WebSocketMetrics metrics, URI uri) {
            this.actual = actual;
            this.metrics = metrics;
            this.uri = uri;
        }

        private boolean end() {
            return ENDED.compareAndSet(this, 0, 1);
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            actual.onSubscribe(this);
        }

        @Override
        public void onNext(WebSocketConnection connection) {
            if (end()) {
                connected(metrics, uri, since(start), connection);
            }
            actual.onNext(connection);
        }

        @Override
        public void onError(Throwable e) {
            WebErrorStatus status = WebSocketError.status(e);
            if (status != WebErrorStatus.INVALID_ARGUMENT && end()) {
                safely(() -> metrics.connectFailed(uri, since(start), status), "connectFailed");
            }
            actual.onError(e);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            if (end()) {
                safely(() -> metrics.connectCancelled(uri, since(start)), "connectCancelled");
            }
            upstream.cancel();
        }
    }

    /** Tells of a new connection, and of its end once its TCP connection closed. Event loop. */
    private static void connected(WebSocketMetrics metrics, URI uri, Duration duration, WebSocketConnection connection) {
        safely(() -> metrics.connected(uri, duration, connection.info()), "connected");
        // closeStatus() emits on the event loop once the channel is inactive, after the ending was
        // decided and the traffic counts stopped: the totals are final.
        connection.closeStatus().subscribe(status -> safely(
                () -> metrics.closed(connection.info(), status, closedBy(connection.ending(), status)), "closed"));
    }

    /** Who ended a connection, from how it ended. */
    private static WebSocketMetrics.ClosedBy closedBy(Ending ending, CloseStatus status) {
        if (ending == null || ending.error() != null || !status.remote()) {
            return WebSocketMetrics.ClosedBy.FAILURE;
        }
        return ending.answered() ? WebSocketMetrics.ClosedBy.LOCAL : WebSocketMetrics.ClosedBy.REMOTE;
    }

    /** {@code roundTrip}, whose value is told to the connection's metrics as it passes. */
    static Mono<Duration> ping(WebSocketConnection connection, Mono<Duration> roundTrip) {
        WebSocketMetrics metrics = connection.metrics();
        if (metrics == null) {
            return roundTrip;
        }
        return roundTrip.doOnNext(d -> safely(() -> metrics.pinged(connection.info(), d), "pinged"));
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void safely(Runnable call, String what) {
        try {
            call.run();
        } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            log.warn("WebSocketMetrics." + what + " threw; ignored", t);
        }
    }
}
