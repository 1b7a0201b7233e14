package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketMetrics;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

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
        if (metrics == null) {
            return opening;
        }
        return Mono.defer(() -> {
            long start = System.nanoTime();
            // The connect's end is told once: a cancel that follows success or failure is not one.
            AtomicBoolean ended = new AtomicBoolean();
            return opening
                    .doOnSuccess(connection -> {
                        if (connection != null && ended.compareAndSet(false, true)) {
                            connected(metrics, uri, since(start), connection);
                        }
                    })
                    .doOnError(e -> {
                        WebErrorStatus status = WebSocketError.status(e);
                        if (status != WebErrorStatus.INVALID_ARGUMENT && ended.compareAndSet(false, true)) {
                            safely(() -> metrics.connectFailed(uri, since(start), status), "connectFailed");
                        }
                    })
                    .doOnCancel(() -> {
                        if (ended.compareAndSet(false, true)) {
                            safely(() -> metrics.connectCancelled(uri, since(start)), "connectCancelled");
                        }
                    });
        });
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
    static WebSocketMetrics.ClosedBy closedBy(Ending ending, CloseStatus status) {
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
