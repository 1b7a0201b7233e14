package io.fluxsocket.benchmarks;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts bytes that a client's callback (on its own thread) received, and lets one waiting thread
 * park until a count is reached. Every client's {@link Echo} waits through this same class, so the
 * hand-off cost (one unpark) is the same for all of them.
 */
final class Arrivals {
    private static final long TIMEOUT_NANOS = 30_000_000_000L;
    private final AtomicLong received = new AtomicLong();
    private volatile Thread waiter;
    private volatile Throwable failure;

    /** From the client's thread: {@code n} more bytes arrived. */
    void add(long n) {
        received.addAndGet(n);
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** From the client's thread: the connection failed; the waiter throws. */
    void fail(Throwable t) {
        failure = t;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Waits until exactly {@code expected} bytes arrived in total; more, a failure or 30 s throw. */
    void await(long expected) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        waiter = Thread.currentThread();
        try {
            long got;
            while ((got = received.get()) < expected) {
                if (failure != null) {
                    throw new IllegalStateException("connection failed after " + got + " bytes", failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("expected " + expected + " bytes, got " + got);
                }
                LockSupport.parkNanos(this, left);
            }
            Transfer.check(expected, got, "echo");
        } finally {
            waiter = null;
        }
    }
}
