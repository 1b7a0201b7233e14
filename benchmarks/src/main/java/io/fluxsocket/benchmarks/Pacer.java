package io.fluxsocket.benchmarks;

import java.util.concurrent.TimeoutException;

/**
 * The pace of a slow application, shared by every client's {@link SlowReader}: the client's
 * callback reports each piece it handed over with {@link #took}, which says whether it may ask for
 * more now; when it may not, the client is paused until {@link #allow} raises the allowance and
 * runs the client's resume action (a {@code request(1)}, a {@code demand()}) once.
 */
final class Pacer {
    private final Runnable resume;
    /** Guarded by this: bytes the application allowed so far, and took. */
    private long allowed;
    private long consumed;
    /** Guarded by this: the client is waiting for {@link #allow} to call {@link #resume}. */
    private boolean paused = true;
    private Throwable failure;

    /** @param resume asks the client for more data after a pause (may be a no-op) */
    Pacer(Runnable resume) {
        this.resume = resume;
    }

    /** From the client's callback: returns whether it may ask for more data now. */
    synchronized boolean took(long n) {
        consumed += n;
        notifyAll();
        if (consumed < allowed) {
            return true;
        }
        paused = true;
        return false;
    }

    /** For callbacks that can only pause by blocking (OkHttp): waits until more is allowed or a failure. */
    synchronized void awaitAllowance() throws InterruptedException {
        while (consumed >= allowed && failure == null) {
            wait();
        }
        paused = false;
    }

    synchronized void fail(Throwable t) {
        failure = t;
        notifyAll();
    }

    synchronized long consumed() {
        return consumed;
    }

    /** Allows {@code n} more bytes, resumes the client if it paused, waits until they were taken. */
    void allow(long n) throws Exception {
        boolean wake;
        synchronized (this) {
            allowed += n;
            wake = paused;
            paused = false;
            notifyAll();
        }
        if (wake) {
            resume.run();
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        synchronized (this) {
            while (consumed < allowed) {
                if (failure != null) {
                    throw new IllegalStateException("download failed after " + consumed + " bytes", failure);
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new TimeoutException("slow reader: consumed " + consumed + " of " + allowed);
                }
                wait(left);
            }
        }
    }
}
