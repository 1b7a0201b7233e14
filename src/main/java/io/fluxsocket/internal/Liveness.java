package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Whether the peer is alive: the application's pings, each answered by the first Pong that
 * carries its payload, with the round-trip time; the keep-alive, a Ping when nothing was
 * received for the interval, and a failure with {@code TIMEOUT} when then no frame came within the
 * timeout; the idle timeout, a Close 1001 once no data moved either way for that long; and the
 * unsolicited Pongs, a one-way heartbeat every interval.
 *
 * <p><b>Paused reads.</b> The connection reads ahead of the subscriber's demand while the receive
 * budget has room, so Pongs are read whatever the application asks for. When the budget is full
 * (the subscriber does not keep up) reads are paused and a Pong cannot be read, so the keep-alive
 * timeout does not run: when it comes due with reads paused, the wait starts again, and once reads
 * resume a silent peer is detected within the timeout.
 *
 * <p>Everything here runs on the connection's event loop, except {@link #ping}'s subscription.
 */
final class Liveness {

    /** What the liveness asks of the connection. Event loop. */
    interface Owner {

        /** No frame came within the keep-alive timeout: fail with {@code timeout}. */
        void keepAliveTimedOut(WebSocketException timeout);

        /** Socket reads are stopped: the receive budget is full. */
        boolean readsPaused();

        /** Payload bytes of data frames sent and received so far. */
        long dataBytes();

        /** No data frame either way for the idle timeout: close with 1001 and {@code reason}. */
        void idleTimedOut(String reason);
    }

    /** A ping of the application, waiting for its Pong. */
    private record Pending(byte[] payload, long sentAt, MonoSink<Duration> sink) {
    }

    /** The keep-alive's Ping payloads start with this, so that the application's are not taken for them. */
    private static final byte[] KEEP_ALIVE = "fluxsocket keep-alive ".getBytes(StandardCharsets.US_ASCII);

    private final EventLoop loop;
    private final Outbound outbound;
    private final Owner owner;
    /** The keep-alive's interval and timeout; null if there is no keep-alive. */
    private final Duration interval;
    private final Duration timeout;
    /** The application's pings not answered yet, oldest first (event loop). */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(1);
    /**
     * When the last frame was received, {@link System#nanoTime()}, read once per socket read that
     * brought frames ({@link #readComplete}), not per frame (event loop).
     */
    private long lastReceived = System.nanoTime();
    /** A frame came in the socket read going on: {@link #lastReceived} is read at its end (event loop). */
    private boolean heard;
    /** When the keep-alive's Ping went, while it waits for a frame; 0 if it does not, or once stopped (event loop). */
    private long waitingSince;
    /** Keep-alive Pings sent, for their payloads (event loop). */
    private long keepAlivePings;
    /** The next keep-alive check (event loop). */
    private ScheduledFuture<?> timer;
    /** The idle timeout; null if there is none. */
    private final Duration idle;
    /** The interval of unsolicited Pongs; null if there are none. */
    private final Duration pongInterval;
    /** The next unsolicited Pong (event loop). */
    private ScheduledFuture<?> pongTimer;
    /** {@link Owner#dataBytes()} at the last idle check, and since when it has not moved (event loop). */
    private long idleBytes;
    private long idleSince;
    /** The next idle check (event loop). */
    private ScheduledFuture<?> idleTimer;
    /** The connection is closing or ended: no more keep-alive checks (event loop). */
    private boolean stopped;
    /** Why the connection ended; pings fail with it (event loop). */
    private WebSocketException ended;

    Liveness(EventLoop loop, Outbound outbound, Owner owner, ClientConfig config) {
        this.loop = loop;
        this.outbound = outbound;
        this.owner = owner;
        this.interval = config.keepAliveInterval();
        this.timeout = config.keepAliveTimeout();
        this.idle = config.idleTimeout();
        this.pongInterval = config.unsolicitedPongInterval();
    }

    /** Starts the keep-alive, the idle timeout and the unsolicited Pongs, if there are. Event loop. */
    void start() {
        if (pongInterval != null) {
            long nanos = pongInterval.toNanos();
            pongTimer = loop.scheduleAtFixedRate(outbound::unsolicitedPong, nanos, nanos, TimeUnit.NANOSECONDS);
        }
        if (interval != null) {
            schedule(interval.toNanos());
        }
        if (idle != null) {
            idleBytes = owner.dataBytes();
            idleSince = System.nanoTime();
            idleTimer = loop.schedule(this::checkIdle, idle.toNanos() / 4, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the connection once no data moved either way for the idle timeout; checks every quarter of it. */
    private void checkIdle() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        long bytes = owner.dataBytes();
        if (bytes != idleBytes) {
            idleBytes = bytes;
            idleSince = now;
        } else if (now - idleSince >= idle.toNanos()) {
            owner.idleTimedOut("idle timeout: no data for " + idle.toMillis() + " ms");
            return;
        }
        long left = idle.toNanos() - (now - idleSince);
        idleTimer = loop.schedule(this::checkIdle, Math.max(1, Math.min(left, idle.toNanos() / 4)), TimeUnit.NANOSECONDS);
    }

    /**
     * Sends a Ping with {@code payload} and emits the time until the first Pong with the same
     * payload; errors if the connection ends first. The payload is checked now (not null, at most
     * 125 bytes: else an {@code INVALID_ARGUMENT} error), copied, and sent on subscription.
     */
    Mono<Duration> ping(ByteBuffer payload) {
        if (payload == null) {
            return Mono.error(WebSocketProtocol.invalid("payload", "must not be null"));
        }
        if (payload.remaining() > WebSocketProtocol.MAX_CONTROL_PAYLOAD) {
            return Mono.error(WebSocketProtocol.invalid("payload", "a Ping carries at most "
                    + WebSocketProtocol.MAX_CONTROL_PAYLOAD + " bytes, was " + payload.remaining()));
        }
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return Mono.create(sink -> loop.execute(() -> {
            if (ended != null) {
                sink.error(ended);
                return;
            }
            Pending p = new Pending(bytes, System.nanoTime(), sink);
            pending.add(p);
            sink.onCancel(() -> loop.execute(() -> pending.remove(p)));
            outbound.ping(Unpooled.wrappedBuffer(bytes));
        }));
    }

    /** A frame was received: the peer is alive. Event loop. */
    void received() {
        if (interval == null) {
            // No keep-alive: nothing asks when frames came.
            return;
        }
        // The clock is read once for all the frames of a read (readComplete), not per frame.
        heard = true;
        if (waitingSince != 0) {
            waitingSince = 0;
            // The timer was set for the timeout: the next Ping goes after the interval instead.
            timer.cancel(false);
            schedule(interval.toNanos());
        }
    }

    /** A socket read ended: the frames it brought, if any, were received now. Event loop. */
    void readComplete() {
        if (heard) {
            heard = false;
            lastReceived = System.nanoTime();
        }
    }

    /** A Pong was received: it answers the oldest ping with its payload, if any. Event loop. */
    void pong(ByteBuf payload) {
        if (pending.isEmpty()) {
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(payload);
        for (Pending p : pending) {
            if (Arrays.equals(p.payload, bytes)) {
                pending.remove(p);
                p.sink.success(Duration.ofNanos(System.nanoTime() - p.sentAt));
                return;
            }
        }
    }

    /** The connection is closing: no more keep-alive Pings (the close timeout bounds the rest). Event loop. */
    void closing() {
        stopped = true;
        cancelTimers();
        waitingSince = 0;
    }

    /** The connection ended with {@code error}: pings waiting fail with it, and the keep-alive stops. Event loop. */
    void terminate(WebSocketException error) {
        if (ended != null) {
            return;
        }
        ended = error;
        stopped = true;
        cancelTimers();
        waitingSince = 0;
        for (Pending p; (p = pending.poll()) != null; ) {
            p.sink.error(error);
        }
    }

    private void cancelTimers() {
        if (timer != null) {
            timer.cancel(false);
        }
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        if (pongTimer != null) {
            pongTimer.cancel(false);
        }
    }

    private void schedule(long nanos) {
        timer = loop.schedule(this::check, Math.max(nanos, 1), TimeUnit.NANOSECONDS);
    }

    private void check() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        if (heard) {
            // Frames of a read whose end was not seen yet: received by now.
            heard = false;
            lastReceived = now;
        }
        if (waitingSince == 0) {
            long quiet = now - lastReceived;
            if (quiet < interval.toNanos()) {
                schedule(interval.toNanos() - quiet);
                return;
            }
            waitingSince = now;
            ByteBuf payload = Unpooled.buffer(KEEP_ALIVE.length + 20);
            payload.writeBytes(KEEP_ALIVE).writeCharSequence(Long.toString(++keepAlivePings), StandardCharsets.US_ASCII);
            outbound.ping(payload);
            schedule(timeout.toNanos());
        } else if (owner.readsPaused()) {
            // A Pong could not be read: the wait starts again.
            waitingSince = now;
            schedule(timeout.toNanos());
        } else if (now - waitingSince >= timeout.toNanos()) {
            owner.keepAliveTimedOut(new WebSocketException(WebErrorStatus.TIMEOUT, "no frame from the server within "
                    + timeout.toMillis() + " ms of a keep-alive Ping, after " + interval.toMillis()
                    + " ms without one (keepAlive)"));
        } else {
            schedule(timeout.toNanos() - (now - waitingSince));
        }
    }
}
