package io.fluxsocket;

import java.net.URI;
import java.time.Duration;

/**
 * What a client tells about its connections, for metrics: give one to
 * {@link WebSocketClient.Builder#metrics}. {@code io.fluxsocket.micrometer.MicrometerMetrics} reports
 * to a Micrometer registry; implement this interface to report elsewhere. Every method does nothing
 * by default.
 *
 * <p><b>When it is told.</b> At the events of a connection's life only: the end of a connect, the
 * answer to a {@code ping}, the end of the connection. Never per message, frame or socket read: the
 * bytes and messages each way and the time reads were paused are the connection's own counts, read
 * from {@link WebSocketInfo#bandwidthStatistics()} when they are wanted (between
 * {@link #connected} and {@link #closed}, and for the totals in {@code closed}). A client without
 * metrics (the default) calls nothing here and allocates nothing for it.
 *
 * <ul>
 *   <li>A connect that began (on subscription, after its URI was checked) ends in exactly one of
 *       {@link #connected}, {@link #connectFailed} and {@link #connectCancelled}. One refused before
 *       any I/O ({@code INVALID_ARGUMENT}: a bad URI) is no connect and is not told.</li>
 *   <li>A connection told to {@link #connected} is told to {@link #closed} exactly once, when its
 *       TCP connection closed; {@link #pinged} only in between, with the same {@link WebSocketInfo}
 *       object, which identifies the connection.</li>
 * </ul>
 *
 * <p><b>Threads.</b> {@link #connected}, {@link #pinged} and {@link #closed} are called on the
 * connection's event loop, {@link #connectFailed} and {@link #connectCancelled} on the thread that
 * failed or cancelled the connect (an event loop, or the timer of the connect timeout): do not block.
 * An exception thrown here is logged and otherwise ignored: metrics never fail a connection.
 */
public interface WebSocketMetrics {

    /**
     * The opening handshake with {@code uri} succeeded.
     *
     * @param uri        the URI given to {@code connect}, without its user information
     * @param duration   from the subscription to {@code connect}'s {@code Mono} until then: DNS, TCP,
     *                   TLS and the HTTP upgrade
     * @param connection the new connection's information; the same object is given to
     *                   {@link #pinged} and {@link #closed}, so it can key what is kept per connection
     */
    default void connected(URI uri, Duration duration, WebSocketInfo connection) {
    }

    /**
     * A connect to {@code uri} failed after {@code duration}: the status of the error that
     * {@code connect}'s {@code Mono} signals ({@code CANNOT_CONNECT}, {@code TIMEOUT}, a certificate
     * status; an HTTP status such as {@code NOT_FOUND} or {@code HTTP_ERROR} when the server answered
     * the upgrade request with one; {@code PROTOCOL_ERROR} when its answer was not a valid upgrade).
     */
    default void connectFailed(URI uri, Duration duration, WebErrorStatus status) {
    }

    /** The subscriber cancelled a connect to {@code uri} after {@code duration}, before it ended. */
    default void connectCancelled(URI uri, Duration duration) {
    }

    /** A {@code ping} of the application was answered after {@code roundTrip}. */
    default void pinged(WebSocketInfo connection, Duration roundTrip) {
    }

    /**
     * The connection's TCP connection closed.
     *
     * @param connection its information: {@link WebSocketInfo#bandwidthStatistics()} now gives its totals
     * @param status     what {@code closeStatus()} emits
     * @param closedBy   who closed it
     */
    default void closed(WebSocketInfo connection, CloseStatus status, ClosedBy closedBy) {
    }

    /** Who ended a connection. */
    enum ClosedBy {
        /**
         * A closing handshake that this client started ({@code close}, the idle timeout): its Close
         * frame went first and the server answered; {@link CloseStatus#code()} is the server's answer.
         */
        LOCAL,
        /** A closing handshake that the server started: its Close frame came before this client sent one. */
        REMOTE,
        /**
         * No closing handshake: this client failed the connection (a protocol violation, a timeout,
         * its code in {@link CloseStatus#code()}) or the connection was lost ({@code 1006}).
         */
        FAILURE
    }
}
