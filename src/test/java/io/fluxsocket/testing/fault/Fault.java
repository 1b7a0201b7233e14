package io.fluxsocket.testing.fault;

import java.time.Duration;
import java.util.Objects;

/**
 * One fault of a {@link FaultProxy}, on one direction of every connection it relays. A
 * <em>timing</em> fault (latency with jitter, a bandwidth throttle, a drip of one byte at a time)
 * delays bytes and loses none; a <em>terminal</em> fault (a cut with RST or FIN, or a stall) takes
 * effect once the bytes before its {@link Position} were forwarded. A direction has at most one
 * fault of each kind.
 *
 * @param kind      what the fault does
 * @param direction the bytes it applies to
 * @param at        where a terminal fault takes effect (null for a timing fault)
 * @param delay     latency: the added delay; drip: the time between two bytes
 * @param jitter    latency: at most this much more or less, drawn per read (zero for none)
 * @param rate      throttle: bytes per second
 */
public record Fault(Kind kind, Direction direction, Position at, Duration delay, Duration jitter, long rate) {

    /** What a fault does. */
    public enum Kind {
        /** Every read is forwarded {@code delay ± jitter} later, in order. */
        LATENCY(false),
        /** Bytes are forwarded at {@code rate} bytes per second at most. */
        THROTTLE(false),
        /** Bytes are forwarded one at a time, each {@code delay} after the one before. */
        DRIP(false),
        /** At the position, both sides of the connection are reset (RST: SO_LINGER 0, close). */
        RESET(true),
        /**
         * At the position, both sides get a FIN (their output is shut down); what they send after it
         * is read and dropped, and their sockets are closed once they closed theirs.
         */
        FIN(true),
        /**
         * At the position, this direction stops: nothing more is forwarded and the source is no
         * longer read (its TCP window closes), and nothing is closed — a peer that vanished.
         */
        STALL(true);

        private final boolean terminal;

        Kind(boolean terminal) {
            this.terminal = terminal;
        }

        /** Whether the fault ends the direction's forwarding at a position. */
        public boolean terminal() {
            return terminal;
        }
    }

    /** Which bytes of a relayed connection. */
    public enum Direction {
        /** Client to server. */
        UPSTREAM,
        /** Server to client. */
        DOWNSTREAM;

        /** The other direction. */
        public Direction reverse() {
            return this == UPSTREAM ? DOWNSTREAM : UPSTREAM;
        }
    }

    public Fault {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(direction, "direction");
        if (kind.terminal() != (at != null)) {
            throw new IllegalArgumentException(kind + (kind.terminal() ? " needs a position" : " takes no position"));
        }
        if ((kind == Kind.LATENCY || kind == Kind.DRIP) && (delay == null || delay.isNegative())) {
            throw new IllegalArgumentException(kind + " needs a delay of zero or more");
        }
        if (kind == Kind.LATENCY && (jitter == null || jitter.isNegative() || jitter.compareTo(delay) > 0)) {
            throw new IllegalArgumentException("a jitter between zero and the delay");
        }
        if (kind == Kind.THROTTLE && rate <= 0) {
            throw new IllegalArgumentException("a throttle needs a positive rate");
        }
    }

    /** Each read in {@code direction} forwarded {@code delay ± jitter} later (in order). */
    public static Fault latency(Direction direction, Duration delay, Duration jitter) {
        return new Fault(Kind.LATENCY, direction, null, delay, jitter, 0);
    }

    /** At most {@code bytesPerSecond} forwarded in {@code direction}. */
    public static Fault throttle(Direction direction, long bytesPerSecond) {
        return new Fault(Kind.THROTTLE, direction, null, null, null, bytesPerSecond);
    }

    /** Bytes in {@code direction} forwarded one at a time, {@code perByte} apart. */
    public static Fault drip(Direction direction, Duration perByte) {
        return new Fault(Kind.DRIP, direction, null, perByte, null, 0);
    }

    /** Both sides reset once the bytes of {@code direction} before {@code at} were forwarded. */
    public static Fault reset(Direction direction, Position at) {
        return new Fault(Kind.RESET, direction, at, null, null, 0);
    }

    /** Both sides get a FIN once the bytes of {@code direction} before {@code at} were forwarded. */
    public static Fault fin(Direction direction, Position at) {
        return new Fault(Kind.FIN, direction, at, null, null, 0);
    }

    /** {@code direction} stops (half-open) once its bytes before {@code at} were forwarded. */
    public static Fault stall(Direction direction, Position at) {
        return new Fault(Kind.STALL, direction, at, null, null, 0);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LATENCY -> "latency " + delay.toMillis() + "±" + jitter.toMillis() + " ms " + direction;
            case THROTTLE -> "throttle " + rate + " B/s " + direction;
            case DRIP -> "drip 1 B/" + delay.toMillis() + " ms " + direction;
            default -> kind + " " + direction + " at " + at;
        };
    }
}
