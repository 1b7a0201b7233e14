package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.NetUtil;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.regex.Pattern;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;
import reactor.util.context.Context;

/**
 * One direct connect's TCP connection to the first of its host's addresses that answers, as RFC 8305
 * (Happy Eyeballs v2) §4–5 says: the addresses ordered so that the families alternate, the family of
 * the first address first ({@link #order}); one attempt started, the next when it has not connected
 * within {@link #ATTEMPT_DELAY}, or at once when an attempt failed; the first connection made wins, and
 * every other attempt is cancelled, which closes its channel (a connection that an attempt made after
 * the race was decided is closed too). Only TCP races: nothing is read or written on any channel here.
 *
 * <p>Each attempt is bounded by the TCP client's {@code CONNECT_TIMEOUT_MILLIS} (the per-attempt
 * timeout, {@code connectAttemptTimeout}); the whole race by whoever subscribes (the connect timeout
 * cancels it). When every address failed, the error is the one attempt's own for a single address,
 * else a {@link WebSocketException} naming the host and each address tried with its reason.
 *
 * <p>Attempts signal on their channels' event loops, the delay on {@link Schedulers#parallel()}, a
 * cancel on any thread: the race's state is guarded by its monitor, and signals, subscriptions and
 * cancels happen outside it.
 */
final class AddressRace {

    /** RFC 8305 §5's recommended Connection Attempt Delay. */
    static final Duration ATTEMPT_DELAY = Duration.ofMillis(250);

    /** The system call that a native transport's error message starts with. */
    private static final Pattern NATIVE_CALL = Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

    /** With a per-attempt connect timeout and a resolver that resolves nothing (every address is resolved). */
    private final TcpClient tcp;
    private final String host;
    /** In the order of the attempts. */
    private final List<InetSocketAddress> addresses;
    /** The per-attempt timeout, for the reasons of timed-out attempts. */
    private final String attemptTimeout;
    private final MonoSink<Connection> sink;
    private final Scheduler timer = Schedulers.parallel();

    // Guarded by this (attempts' event loops, the timer, the canceller).
    /** The index of the next address to try. */
    private int next;
    /** Each address's failure, by index; null while untried, running or connected. */
    private final Throwable[] failures;
    /** The attempts started and not ended yet. */
    private final List<Attempt> running = new ArrayList<>(2);
    /** Won, failed or cancelled: attempts that end later are only cleaned up after. */
    private boolean done;
    /** The delay after which the next address is tried; null when none is pending. */
    private Disposable delay;

    private AddressRace(TcpClient tcp, String host, List<InetSocketAddress> addresses, String attemptTimeout,
            MonoSink<Connection> sink) {
        this.tcp = tcp;
        this.host = host;
        this.addresses = addresses;
        this.attemptTimeout = attemptTimeout;
        this.sink = sink;
        this.failures = new Throwable[addresses.size()];
    }

    /**
     * Races TCP connections to {@code addresses}, in their order. Nothing happens until subscription;
     * cancelling closes every channel of the race.
     *
     * @param tcp            the TCP client of an attempt, its {@code CONNECT_TIMEOUT_MILLIS} the per-attempt timeout
     * @param host           the host the addresses are of, for the error
     * @param addresses      the addresses to try, in order ({@link #order}); at least one
     * @param attemptTimeout how the error describes an attempt that timed out (such as {@code "within 10000 ms"})
     * @return a {@link Mono} of the winner's connection; errors when every address failed
     */
    static Mono<Connection> connect(TcpClient tcp, String host, List<InetSocketAddress> addresses, String attemptTimeout) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to connect to");
        }
        return Mono.<Connection>create(sink -> new AddressRace(tcp, host, List.copyOf(addresses), attemptTimeout, sink).start())
                // A connection emitted as the race, or one of its attempts, was cancelled (the attempts
                // connect with the race's subscriber's context).
                .doOnDiscard(Connection.class, Connection::dispose);
    }

    /**
     * The order of the attempts (RFC 8305 §4, a First Address Family Count of 1): the addresses of the
     * first address's family and those of the other family alternate, each family in its given order;
     * a duplicate is dropped.
     */
    static List<InetSocketAddress> order(List<InetAddress> resolved, int port) {
        List<InetAddress> distinct = new ArrayList<>(new LinkedHashSet<>(resolved));
        List<InetAddress> first = new ArrayList<>();
        List<InetAddress> other = new ArrayList<>();
        for (InetAddress a : distinct) {
            (a instanceof Inet6Address == distinct.get(0) instanceof Inet6Address ? first : other).add(a);
        }
        List<InetSocketAddress> ordered = new ArrayList<>(distinct.size());
        for (int i = 0; i < Math.max(first.size(), other.size()); i++) {
            if (i < first.size()) {
                ordered.add(new InetSocketAddress(first.get(i), port));
            }
            if (i < other.size()) {
                ordered.add(new InetSocketAddress(other.get(i), port));
            }
        }
        return ordered;
    }

    private void start() {
        sink.onCancel(this::cancel);
        Attempt first;
        synchronized (this) {
            first = begin();
        }
        first.connect(tcp, addresses.get(first.index));
    }

    /** Starts the next address's attempt and arms the delay after it. Called with the monitor held. */
    private Attempt begin() {
        Attempt attempt = new Attempt(this, next++);
        running.add(attempt);
        cancelDelay();
        if (next < addresses.size()) {
            int expected = next;
            delay = timer.schedule(() -> delayPassed(expected), ATTEMPT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
        return attempt;
    }

    private void cancelDelay() {
        if (delay != null) {
            delay.dispose();
            delay = null;
        }
    }

    /** The delay after the attempt before {@code expected} passed: unless another started since, the next one starts. */
    private void delayPassed(int expected) {
        Attempt attempt;
        synchronized (this) {
            if (done || next != expected) {
                return;
            }
            attempt = begin();
        }
        attempt.connect(tcp, addresses.get(attempt.index));
    }

    private void won(Attempt attempt, Connection connection) {
        List<Attempt> losers;
        synchronized (this) {
            if (done) {
                losers = null;
            } else {
                done = true;
                running.remove(attempt);
                losers = new ArrayList<>(running);
                running.clear();
                cancelDelay();
            }
        }
        if (losers == null) {
            // Connected after another won, or after the race was cancelled.
            connection.dispose();
            return;
        }
        losers.forEach(Attempt::cancel);
        sink.success(connection);
    }

    private void failed(Attempt attempt, Throwable error) {
        Attempt another = null;
        boolean allFailed = false;
        synchronized (this) {
            if (done) {
                // Its end after the race was decided: nobody to tell.
                return;
            }
            running.remove(attempt);
            failures[attempt.index] = error;
            if (next < addresses.size()) {
                another = begin();
            } else if (running.isEmpty()) {
                done = true;
                allFailed = true;
            }
        }
        if (another != null) {
            another.connect(tcp, addresses.get(another.index));
        } else if (allFailed) {
            sink.error(failure());
        }
    }

    private void cancel() {
        List<Attempt> cancelled;
        synchronized (this) {
            done = true;
            cancelled = new ArrayList<>(running);
            running.clear();
            cancelDelay();
        }
        cancelled.forEach(Attempt::cancel);
    }

    /** Every address failed: one address's own error, or one naming each address and its reason. */
    private Throwable failure() {
        if (failures.length == 1) {
            return failures[0];
        }
        WebErrorStatus common = null;
        StringBuilder reasons = new StringBuilder();
        for (int i = 0; i < failures.length; i++) {
            WebErrorStatus status = WebSocketError.status(failures[i]);
            common = common == null || common == status ? status : WebErrorStatus.CANNOT_CONNECT;
            reasons.append(i == 0 ? "" : ", ").append(NetUtil.toSocketAddressString(addresses.get(i)))
                    .append(" (").append(reason(failures[i], addresses.get(i))).append(')');
        }
        WebSocketException e = new WebSocketException(common == WebErrorStatus.UNKNOWN ? WebErrorStatus.CANNOT_CONNECT : common,
                "could not connect to " + host + " at any of its " + failures.length + " addresses: " + reasons, failures[0]);
        for (int i = 1; i < failures.length; i++) {
            e.addSuppressed(failures[i]);
        }
        return e;
    }

    /** An attempt's failure in words, without the address that the list names already. */
    private String reason(Throwable error, InetSocketAddress address) {
        if (error instanceof ConnectTimeoutException) {
            return "no answer " + attemptTimeout;
        }
        // Netty's native transports name the system call: "finishConnect(..) failed with error(-111): Connection refused".
        String message = NATIVE_CALL.matcher(String.valueOf(error.getMessage())).replaceFirst("");
        for (String named : new String[] {": " + address, ": " + NetUtil.toSocketAddressString(address)}) {
            if (message.endsWith(named)) {
                return message.substring(0, message.length() - named.length());
            }
        }
        return message;
    }

    /**
     * One address's TCP connect. Reactor Netty keeps the subscriber of a connect for as long as its
     * channel lives: once an attempt has passed on its outcome it lets go of the race, so that an open
     * connection does not keep the race and the chain that subscribed to it on the heap.
     */
    private static final class Attempt implements CoreSubscriber<Connection> {

        @SuppressWarnings("rawtypes")
        private static final AtomicReferenceFieldUpdater<Attempt, Subscription> SUBSCRIPTION =
                AtomicReferenceFieldUpdater.newUpdater(Attempt.class, Subscription.class, "subscription");

        final int index;
        /**
         * The race's subscriber's context, as a connect outside a race would see it; it holds the
         * race's discard hook, which also disposes a connection made as the attempt was cancelled.
         */
        private final Context context;
        /** The race to tell; null once told of the outcome (the attempt's event loop). */
        private volatile AddressRace race;
        /** The connect's subscription; {@link Operators#cancelledSubscription()} once cancelled (any thread). */
        volatile Subscription subscription;

        Attempt(AddressRace race, int index) {
            this.race = race;
            this.index = index;
            this.context = Context.of(race.sink.contextView());
        }

        void connect(TcpClient tcp, InetSocketAddress address) {
            if (subscription == Operators.cancelledSubscription()) {
                // The race was decided between its start and now: no channel for it.
                return;
            }
            tcp.remoteAddress(() -> address).connect().subscribe(this);
        }

        void cancel() {
            Operators.terminate(SUBSCRIPTION, this);
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.setOnce(SUBSCRIPTION, this, s)) {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(Connection connection) {
            AddressRace told = race;
            race = null;
            if (told == null) {
                connection.dispose();
            } else {
                told.won(this, connection);
            }
        }

        @Override
        public void onError(Throwable error) {
            AddressRace told = race;
            race = null;
            if (told != null) {
                told.failed(this, error);
            }
        }

        @Override
        public void onComplete() {
            AddressRace told = race;
            race = null;
            if (told != null) {
                // Completed without a connection (one that succeeded told the race in onNext).
                told.failed(this, new IllegalStateException("the connect to " + told.addresses.get(index)
                        + " ended without a connection"));
            }
        }
    }
}
