package io.fluxsocket;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * Keeps a logical connection alive across drops: a {@link Flux} of successive connections, each
 * made when the one before it ended in a way worth another try, on Reactor's {@link Retry} backoff.
 *
 * <pre>{@code
 * Reconnect.backoff(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(30)))
 *         .streams(client.connect(uri))                     // subscribed again for each connection
 *         .concatMap(ws -> ws.receive().map(this::handle)   // one connection at a time
 *                 // A lost connection fails its receive(): go on with the next one.
 *                 .onErrorResume(WebSocketException.class, e -> Mono.empty()))
 *         .subscribe();
 * }</pre>
 *
 * <p><b>When it connects again.</b> A connect that fails with an error {@link #retryOn(Predicate)}
 * accepts (by default {@link #isTransient(Throwable)}: connection failures, timeouts, {@code 408},
 * {@code 429} and {@code 5xx}) is tried again after the backoff; one that fails otherwise (by default
 * {@code 401}, {@code 403}, {@code 404}, {@code INVALID_ARGUMENT}, a certificate error, a protocol
 * error…) ends the flux with that error. A connection that closes with a status
 * {@link #reconnectOn(Predicate)} accepts (by default {@link #isTransient(CloseStatus)}: 1001, 1006,
 * 1011–1014) is followed by a new one after the backoff; one that closes otherwise (1000, 1008…)
 * completes the flux. A refusal with a {@code Retry-After} header (a {@code 429} or {@code 503}) waits
 * that long, up to {@link #maxRetryAfter(Duration)}, before the backoff.
 *
 * <p><b>Backoff.</b> The {@link RetryBackoffSpec} gives the delays, the jitter, the scheduler and the
 * most attempts in a row; its error filter is replaced by this class's rules, and its errors are
 * transient (the count of attempts starts again after each connection that opened). When the
 * attempts are used up the flux errors with the last failure itself, not Reactor's
 * {@code RetryExhaustedException}.
 *
 * <p><b>Subscribing and cancelling.</b> Nothing happens until subscription; each subscriber gets its
 * own connections (resubscribing is safe: {@code connect} is subscribed anew each time). Cancelling
 * the flux stops reconnecting and closes the open connection (Close 1000). The application uses each
 * connection until it ends; the next is emitted after that, so a {@code concatMap} that runs until
 * the connection's data ends sees one connection at a time. A connection that is lost (1006) or
 * whose keep-alive times out (1011) fails its {@code receive()} and pending sends with a
 * {@link WebSocketException}: an error let out of the {@code concatMap} ends the flux with it, so
 * resume from it, as the example does, to be given the next connection.
 *
 * <p>Immutable: each method returns a new instance.
 */
public final class Reconnect {

    /** Close codes after which a new connection is worth it: going away, lost, and the server's transient errors. */
    private static final Set<Integer> TRANSIENT_CLOSES = Set.of(CloseStatus.GOING_AWAY, CloseStatus.ABNORMAL_CLOSURE,
            CloseStatus.INTERNAL_ERROR, 1012, 1013, 1014);

    /** Failures of a connect that are worth another: the network's, and the server's own "later". */
    private static final Set<WebErrorStatus> TRANSIENT_FAILURES = Set.of(WebErrorStatus.CANNOT_CONNECT,
            WebErrorStatus.HOST_NAME_NOT_RESOLVED, WebErrorStatus.TIMEOUT, WebErrorStatus.CONNECTION_RESET,
            WebErrorStatus.CONNECTION_ABORTED, WebErrorStatus.CLOSED);

    private final RetryBackoffSpec backoff;
    private final Predicate<? super Throwable> retryOn;
    private final Predicate<? super CloseStatus> reconnectOn;
    private final Duration maxRetryAfter;

    private Reconnect(RetryBackoffSpec backoff, Predicate<? super Throwable> retryOn,
            Predicate<? super CloseStatus> reconnectOn, Duration maxRetryAfter) {
        this.backoff = backoff;
        this.retryOn = retryOn;
        this.reconnectOn = reconnectOn;
        this.maxRetryAfter = maxRetryAfter;
    }

    /**
     * Reconnects on the given backoff, with the default rules.
     *
     * @param backoff e.g. {@code Retry.backoff(10, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(30))}
     * @throws WebSocketException with {@code INVALID_ARGUMENT} if {@code backoff} is null
     */
    public static Reconnect backoff(RetryBackoffSpec backoff) {
        if (backoff == null) {
            throw Arguments.invalid("backoff", "must not be null");
        }
        return new Reconnect(backoff, Reconnect::isTransient, Reconnect::isTransient, Duration.ofMinutes(5));
    }

    /**
     * Which failures of a connect are tried again; default {@link #isTransient(Throwable)}.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} if {@code predicate} is null
     */
    public Reconnect retryOn(Predicate<? super Throwable> predicate) {
        if (predicate == null) {
            throw Arguments.invalid("retryOn", "must not be null");
        }
        return new Reconnect(backoff, predicate, reconnectOn, maxRetryAfter);
    }

    /**
     * Which ends of an open connection are followed by a new one; default {@link #isTransient(CloseStatus)}.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} if {@code predicate} is null
     */
    public Reconnect reconnectOn(Predicate<? super CloseStatus> predicate) {
        if (predicate == null) {
            throw Arguments.invalid("reconnectOn", "must not be null");
        }
        return new Reconnect(backoff, retryOn, predicate, maxRetryAfter);
    }

    /**
     * The longest {@code Retry-After} honoured: a longer one is waited for this long. Default 5 minutes;
     * zero ignores the header.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} if null or negative
     */
    public Reconnect maxRetryAfter(Duration max) {
        if (max == null || max.isNegative()) {
            throw Arguments.invalid("maxRetryAfter", "must be zero or positive, was " + max);
        }
        return new Reconnect(backoff, retryOn, reconnectOn, max);
    }

    /**
     * Successive stream-mode connections from {@code connect}, e.g. {@code client.connect(uri)}.
     *
     * @return a {@link Flux} of connections, one after another ended; completes when one closes with a
     *     status that is not reconnected on; errors with a connect's failure that is not retried, or the
     *     last failure when the backoff's attempts are used up
     */
    public Flux<StreamWebSocket> streams(Mono<StreamWebSocket> connect) {
        return connections(connect, StreamWebSocket::closeStatus, StreamWebSocket::close);
    }

    /**
     * Successive message-mode connections from {@code connect}, e.g. {@code client.connectMessages(uri)};
     * otherwise as {@link #streams(Mono)}.
     */
    public Flux<MessageWebSocket> messages(Mono<MessageWebSocket> connect) {
        return connections(connect, MessageWebSocket::closeStatus, MessageWebSocket::close);
    }

    private <T> Flux<T> connections(Mono<T> connect, Function<T, Mono<CloseStatus>> closeStatus,
            Function<T, Mono<Void>> close) {
        if (connect == null) {
            return Flux.error(Arguments.invalid("connect", "must not be null"));
        }
        Retry retry = backoff
                .filter(e -> e instanceof Dropped || retryOn.test(e))
                .transientErrors(true)
                .doBeforeRetryAsync(signal -> retryAfter(signal.failure()).map(Mono::delay).orElse(Mono.empty()).then())
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
        return Flux.usingWhen(connect,
                        ws -> Flux.just(ws).concatWith(closeStatus.apply(ws).flatMap(status -> reconnectOn.test(status)
                                ? Mono.error(new Dropped(status)) : Mono.empty())),
                        ws -> Mono.empty(),
                        (ws, error) -> Mono.empty(),
                        // Cancelled by the application: this connection goes with the flux.
                        close)
                .retryWhen(retry);
    }

    /** How long a refusal asked to wait ({@code Retry-After}), within {@link #maxRetryAfter}; empty if it did not. */
    Optional<Duration> retryAfter(Throwable failure) {
        if (!(failure instanceof WebSocketException e) || maxRetryAfter.isZero()) {
            return Optional.empty();
        }
        return e.handshakeResponse().flatMap(r -> r.firstValue("Retry-After")).flatMap(Reconnect::parseRetryAfter)
                .map(wait -> wait.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : wait);
    }

    /** {@code Retry-After} (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; empty if it is neither. */
    static Optional<Duration> parseRetryAfter(String value) {
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return Optional.of(until.isNegative() ? Duration.ZERO : until);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /**
     * The default rule for failures of a connect: {@code true} for a {@link WebSocketException} whose
     * status is a connection failure ({@code CANNOT_CONNECT}, {@code HOST_NAME_NOT_RESOLVED},
     * {@code TIMEOUT}, {@code CONNECTION_RESET}, {@code CONNECTION_ABORTED}, {@code CLOSED}) or
     * whose handshake was refused with {@code 408}, {@code 429} or a {@code 5xx}; {@code false} for
     * anything else ({@code 401}, {@code 403}, {@code 404}, {@code INVALID_ARGUMENT}, certificates,
     * protocol errors, errors that are not the library's).
     */
    public static boolean isTransient(Throwable failure) {
        if (!(failure instanceof WebSocketException e)) {
            return false;
        }
        int http = e.httpStatus();
        if (http != 0) {
            return http == 408 || http == 429 || (http >= 500 && http <= 599);
        }
        return TRANSIENT_FAILURES.contains(e.status());
    }

    /**
     * The default rule for ends of an open connection: {@code true} for 1001 (going away), 1006
     * (lost without a Close), 1011 (internal error; also this client's keep-alive timeout), 1012
     * (service restart), 1013 (try again later) and 1014 (bad gateway); {@code false} for the rest
     * (1000 normal, 1008 policy violation, 1002/1003/1007/1009 protocol errors…).
     */
    public static boolean isTransient(CloseStatus status) {
        return TRANSIENT_CLOSES.contains(Objects.requireNonNull(status, "status").code());
    }

    /** The end of a connection that is followed by another: the retry's signal. */
    private static final class Dropped extends WebSocketException {

        private static final long serialVersionUID = 1L;

        Dropped(CloseStatus status) {
            super(WebErrorStatus.CLOSED, "the connection closed with " + status.code()
                    + (status.reason().isEmpty() ? "" : " (" + status.reason() + ")"));
        }
    }
}
